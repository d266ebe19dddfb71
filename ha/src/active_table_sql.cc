#include "active_table_sql.h"

#include "hastore/jdbcstore/sql_identifier.h"

namespace hastore::ha {

Result<LeaseTableNames> MakeLeaseTableNames(std::string_view table) {
  LeaseTableNames names{std::string(table), std::string(table) + "_RECORDS", "", ""};
  Result<std::string> active = jdbcstore::QuoteTableName(names.active);
  if (!active.ok()) return Status::InvalidArgument("lease table: " + active.status().message());
  Result<std::string> records = jdbcstore::QuoteTableName(names.records);
  if (!records.ok()) return Status::InvalidArgument("lease table: " + records.status().message());
  names.quoted_active = *active;
  names.quoted_records = *records;
  return names;
}

std::string_view DatabaseDisplayName(JdbcDatabase database) {
  switch (database) {
    case JdbcDatabase::kSqlite: return "SQLite";
    case JdbcDatabase::kPostgresql: return "PostgreSQL";
    case JdbcDatabase::kMariadb: return "MariaDB";
    case JdbcDatabase::kAuto: break;
  }
  return "an unknown database";
}

ActiveTableSql::ActiveTableSql(JdbcDatabase database, LeaseTableNames tables)
    : database_(database),
      tables_(std::move(tables)),
      lock_for_write_first_(BuildLockForWriteFirst()),
      read_lease_(BuildReadLease(RowLock::kNone)),
      read_lease_shared_(BuildReadLease(RowLock::kShared)),
      read_lease_exclusive_(BuildReadLease(RowLock::kExclusive)),
      now_(BuildNow()),
      insert_lease_(BuildInsertLease()),
      update_lease_(BuildUpdateLease()),
      renew_session_(BuildRenewSession()),
      live_leases_of_(BuildLiveLeasesOf()),
      release_lease_(BuildReleaseLease()),
      list_leases_(BuildListLeases()),
      put_record_(BuildPutRecord()),
      erase_record_(BuildEraseRecord()),
      get_record_(BuildGetRecord()),
      list_records_(BuildListRecords()) {}

const std::string& ActiveTableSql::ReadLease(RowLock lock) const {
  switch (lock) {
    case RowLock::kShared: return read_lease_shared_;
    case RowLock::kExclusive: return read_lease_exclusive_;
    case RowLock::kNone: break;
  }
  return read_lease_;
}

// ---- the dialect ------------------------------------------------------------------------------

std::string ActiveTableSql::Text() const {
  switch (database_) {
    case JdbcDatabase::kPostgresql: return "convert_from(?, 'UTF8')";
    // An explicit collation: the converted string must compare as the utf8mb4_bin columns do.
    case JdbcDatabase::kMariadb: return "CONVERT(? USING utf8mb4) COLLATE utf8mb4_bin";
    default: return "CAST(? AS TEXT)";
  }
}

std::string ActiveTableSql::Bytes(std::string_view column) const {
  const std::string c(column);
  switch (database_) {
    case JdbcDatabase::kPostgresql: return "convert_to(" + c + ", 'UTF8')";
    case JdbcDatabase::kMariadb: return "CAST(" + c + " AS BINARY)";
    default: return "CAST(" + c + " AS BLOB)";
  }
}

std::string ActiveTableSql::StartsWith(std::string_view column) const {
  const std::string b = Bytes(column);
  switch (database_) {
    // octet_length has overloads: without the cast the server would take the parameter for text.
    case JdbcDatabase::kPostgresql: return "substring(" + b + " from 1 for octet_length(CAST(? AS BYTEA))) = ?";
    case JdbcDatabase::kMariadb: return "LEFT(" + b + ", LENGTH(?)) = ?";
    default: return "substr(" + b + ", 1, length(?)) = ?";
  }
}

// Computed by the database at each statement, never by the caller: expiry is judged by the
// database's clock. PostgreSQL's clock_timestamp() is the time now (CURRENT_TIMESTAMP would be
// the transaction's start); SQLite's 'now' is fixed for the length of one statement.
std::string ActiveTableSql::NowMs() const {
  switch (database_) {
    case JdbcDatabase::kPostgresql: return "CAST(FLOOR(EXTRACT(EPOCH FROM clock_timestamp()) * 1000) AS BIGINT)";
    case JdbcDatabase::kMariadb: return "CAST(FLOOR(UNIX_TIMESTAMP(SYSDATE(3)) * 1000) AS SIGNED)";
    default: return "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)";
  }
}

std::string ActiveTableSql::Scope() const { return "DOMAINNAME = " + Text() + " AND CLUSTERNAME = " + Text(); }

std::string ActiveTableSql::Key(std::string_view column) const {
  return std::string(column) + " = " + Text() + " AND " + Scope();
}

std::string ActiveTableSql::LiveOfSession() const {
  return Scope() + " AND INSTANCE = " + Text() + " AND SESSION = " + Text() + " AND TIMEOUT > " + NowMs();
}

// ---- leases -----------------------------------------------------------------------------------

std::string ActiveTableSql::BuildLockForWriteFirst() const {
  if (database_ != JdbcDatabase::kSqlite) return "";
  return "UPDATE " + tables_.quoted_active + " SET EPOCH = EPOCH WHERE " + Key("SERVER");
}

std::string ActiveTableSql::BuildReadLease(RowLock lock) const {
  std::string sql = "SELECT " + Bytes("INSTANCE") + ", " + Bytes("SESSION") + ", EPOCH, TIMEOUT, " + NowMs() +
                    " FROM " + tables_.quoted_active + " WHERE " + Key("SERVER");
  if (lock == RowLock::kNone || database_ == JdbcDatabase::kSqlite) return sql;
  if (lock == RowLock::kExclusive) return sql + " FOR UPDATE";
  return sql + (database_ == JdbcDatabase::kPostgresql ? " FOR SHARE" : " LOCK IN SHARE MODE");
}

std::string ActiveTableSql::BuildNow() const { return "SELECT " + NowMs(); }

std::string ActiveTableSql::BuildInsertLease() const {
  return "INSERT INTO " + tables_.quoted_active +
         " (SERVER, INSTANCE, SESSION, DOMAINNAME, CLUSTERNAME, TIMEOUT, EPOCH) VALUES (" + Text() + ", " + Text() +
         ", " + Text() + ", " + Text() + ", " + Text() + ", ?, ?)";
}

std::string ActiveTableSql::BuildUpdateLease() const {
  return "UPDATE " + tables_.quoted_active + " SET INSTANCE = " + Text() + ", SESSION = " + Text() +
         ", EPOCH = ?, TIMEOUT = ? WHERE " + Key("SERVER") + " AND EPOCH = ? AND INSTANCE = " + Text() +
         " AND SESSION = " + Text() + " AND TIMEOUT = ?";
}

std::string ActiveTableSql::BuildRenewSession() const {
  return "UPDATE " + tables_.quoted_active + " SET TIMEOUT = " + NowMs() + " + ? WHERE " + LiveOfSession();
}

std::string ActiveTableSql::BuildLiveLeasesOf() const {
  return "SELECT " + Bytes("SERVER") + ", EPOCH FROM " + tables_.quoted_active + " WHERE " + LiveOfSession() +
         " ORDER BY 1";
}

std::string ActiveTableSql::BuildReleaseLease() const {
  return "UPDATE " + tables_.quoted_active + " SET INSTANCE = '', SESSION = '', TIMEOUT = 0 WHERE " + Key("SERVER") +
         " AND EPOCH = ? AND INSTANCE = " + Text() + " AND SESSION = " + Text();
}

std::string ActiveTableSql::BuildListLeases() const {
  return "SELECT " + Bytes("SERVER") + ", " + Bytes("INSTANCE") + ", " + Bytes("SESSION") + ", EPOCH, TIMEOUT, " +
         NowMs() + " FROM " + tables_.quoted_active + " WHERE " + Scope() + " AND " + StartsWith("SERVER") +
         " ORDER BY 1";
}

// ---- records ----------------------------------------------------------------------------------

std::string ActiveTableSql::BuildPutRecord() const {
  const std::string insert = "INSERT INTO " + tables_.quoted_records +
                             " (RECORDKEY, DOMAINNAME, CLUSTERNAME, RECORDVALUE) VALUES (" + Text() + ", " + Text() +
                             ", " + Text() + ", ?)";
  if (database_ == JdbcDatabase::kMariadb) return insert + " ON DUPLICATE KEY UPDATE RECORDVALUE = VALUES(RECORDVALUE)";
  return insert + " ON CONFLICT (RECORDKEY, DOMAINNAME, CLUSTERNAME) DO UPDATE SET RECORDVALUE = excluded.RECORDVALUE";
}

std::string ActiveTableSql::BuildEraseRecord() const {
  return "DELETE FROM " + tables_.quoted_records + " WHERE " + Key("RECORDKEY");
}

std::string ActiveTableSql::BuildGetRecord() const {
  return "SELECT RECORDVALUE FROM " + tables_.quoted_records + " WHERE " + Key("RECORDKEY");
}

std::string ActiveTableSql::BuildListRecords() const {
  return "SELECT " + Bytes("RECORDKEY") + ", RECORDVALUE FROM " + tables_.quoted_records + " WHERE " + Scope() +
         " AND " + StartsWith("RECORDKEY") + " ORDER BY 1";
}

}  // namespace hastore::ha
