// The SQL text of every statement the `database` lease authority sends, for one lease table
// and one database. Values always travel as parameters; only quoted table names are in the text.
//
// Names (lease names, holders, domain, cluster, record keys) are VARCHAR columns, so an operator
// can read the table, but the ODBC seam binds every string as bytes: the SQL turns a bytes
// parameter into text where it is compared or stored, and reads text columns back as bytes.
// Lists are ordered by those bytes, the same order on every database and in `local`.
//
// Parameter lists below are in placeholder order. "key" is three parameters: the lease's name
// (or record's key), DOMAINNAME, CLUSTERNAME. "scope" is two: DOMAINNAME, CLUSTERNAME.
#pragma once

#include <string>
#include <string_view>

#include "hastore/storage/config.h"
#include "hastore/storage/status.h"

namespace hastore::ha {

// The configured table, its records table, and both as SQL quotes them.
struct LeaseTableNames {
  std::string active;   // "ACTIVE", "schema.ACTIVE"
  std::string records;  // "ACTIVE_RECORDS"
  std::string quoted_active;
  std::string quoted_records;
};

// kInvalidArgument for a name QuoteTableName refuses.
Result<LeaseTableNames> MakeLeaseTableNames(std::string_view table);

// "SQLite", "PostgreSQL", "MariaDB".
std::string_view DatabaseDisplayName(JdbcDatabase database);

// How a statement that reads a lease row locks it until the transaction ends.
enum class RowLock { kNone, kShared, kExclusive };

class ActiveTableSql {
 public:
  // `database` is kSqlite, kPostgresql or kMariadb. Builds every statement: the text is the
  // same on every call, and a heartbeat's renewal or a master's tick should not rebuild it.
  ActiveTableSql(JdbcDatabase database, LeaseTableNames tables);

  // SQLite serialises writers, but a transaction starts as a reader: one that reads a row and
  // then writes would fail at its write if another writer committed in between. This UPDATE
  // (key) takes the write lock first, even when it matches no row. "" on the other databases,
  // whose ReadLease locks the row itself.
  const std::string& LockForWriteFirst() const { return lock_for_write_first_; }
  // key -> INSTANCE, SESSION, EPOCH, TIMEOUT (as bytes, bytes, int, int), and the database's now.
  const std::string& ReadLease(RowLock lock) const;
  const std::string& Now() const { return now_; }  // -> now, in ms since 1970 by the database's clock
  // name, server, session, scope, timeout, epoch.
  const std::string& InsertLease() const { return insert_lease_; }
  // The compare-and-set of Acquire: server, session, epoch, timeout, key, then the row as it
  // was read: epoch, server, session, timeout. One row changes, or none if it moved.
  const std::string& UpdateLease() const { return update_lease_; }
  // ttl, scope, server, session: every live lease of the session ends ttl ms from now.
  const std::string& RenewSession() const { return renew_session_; }
  // scope, server, session -> SERVER (bytes), EPOCH of the session's live leases, by name.
  const std::string& LiveLeasesOf() const { return live_leases_of_; }
  // key, epoch, server, session: frees the lease if they still hold it; EPOCH is kept.
  const std::string& ReleaseLease() const { return release_lease_; }
  // scope, prefix, prefix -> SERVER, INSTANCE, SESSION, EPOCH, TIMEOUT, now; by name.
  const std::string& ListLeases() const { return list_leases_; }

  // key, value: insert or replace.
  const std::string& PutRecord() const { return put_record_; }
  const std::string& EraseRecord() const { return erase_record_; }  // key
  const std::string& GetRecord() const { return get_record_; }      // key -> RECORDVALUE
  // scope, prefix, prefix -> RECORDKEY (bytes), RECORDVALUE; by key.
  const std::string& ListRecords() const { return list_records_; }

 private:
  // The dialect's pieces: a bytes parameter as text, a text column as bytes, "column starts
  // with the bytes parameter" (two placeholders), the clock in ms.
  std::string Text() const;
  std::string Bytes(std::string_view column) const;
  std::string StartsWith(std::string_view column) const;
  std::string NowMs() const;
  std::string Scope() const;                       // DOMAINNAME = ? AND CLUSTERNAME = ?
  std::string Key(std::string_view column) const;  // <column> = ? AND the scope
  std::string LiveOfSession() const;               // scope, server, session: its live leases

  // The statements, as the constructor builds them once.
  std::string BuildLockForWriteFirst() const;
  std::string BuildReadLease(RowLock lock) const;
  std::string BuildNow() const;
  std::string BuildInsertLease() const;
  std::string BuildUpdateLease() const;
  std::string BuildRenewSession() const;
  std::string BuildLiveLeasesOf() const;
  std::string BuildReleaseLease() const;
  std::string BuildListLeases() const;
  std::string BuildPutRecord() const;
  std::string BuildEraseRecord() const;
  std::string BuildGetRecord() const;
  std::string BuildListRecords() const;

  // Declared before the statements, which are built from them.
  const JdbcDatabase database_;
  const LeaseTableNames tables_;

  const std::string lock_for_write_first_;
  const std::string read_lease_;  // RowLock::kNone
  const std::string read_lease_shared_;
  const std::string read_lease_exclusive_;
  const std::string now_;
  const std::string insert_lease_;
  const std::string update_lease_;
  const std::string renew_session_;
  const std::string live_leases_of_;
  const std::string release_lease_;
  const std::string list_leases_;
  const std::string put_record_;
  const std::string erase_record_;
  const std::string get_record_;
  const std::string list_records_;
};

}  // namespace hastore::ha
