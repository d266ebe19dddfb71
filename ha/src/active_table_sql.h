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
  // `database` is kSqlite, kPostgresql or kMariadb.
  ActiveTableSql(JdbcDatabase database, LeaseTableNames tables);

  const LeaseTableNames& tables() const { return tables_; }

  // SQLite serialises writers, but a transaction starts as a reader: one that reads a row and
  // then writes would fail at its write if another writer committed in between. This UPDATE
  // (key) takes the write lock first, even when it matches no row. "" on the other databases,
  // whose ReadLease locks the row itself.
  std::string LockForWriteFirst() const;
  // key -> INSTANCE, SESSION, EPOCH, TIMEOUT (as bytes, bytes, int, int), and the database's now.
  std::string ReadLease(RowLock lock) const;
  std::string Now() const;  // -> now, in ms since 1970 by the database's clock
  // name, server, session, scope, timeout, epoch.
  std::string InsertLease() const;
  // The compare-and-set of Acquire: server, session, epoch, timeout, key, then the row as it
  // was read: epoch, server, session, timeout. One row changes, or none if it moved.
  std::string UpdateLease() const;
  // ttl, scope, server, session: every live lease of the session ends ttl ms from now.
  std::string RenewSession() const;
  // scope, server, session -> SERVER (bytes), EPOCH of the session's live leases, by name.
  std::string LiveLeasesOf() const;
  // key, epoch, server, session: frees the lease if they still hold it; EPOCH is kept.
  std::string ReleaseLease() const;
  // scope, prefix, prefix -> SERVER, INSTANCE, SESSION, EPOCH, TIMEOUT, now; by name.
  std::string ListLeases() const;

  // key, value: insert or replace.
  std::string PutRecord() const;
  std::string EraseRecord() const;  // key
  std::string GetRecord() const;    // key -> RECORDVALUE
  // scope, prefix, prefix -> RECORDKEY (bytes), RECORDVALUE; by key.
  std::string ListRecords() const;

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

  const JdbcDatabase database_;
  const LeaseTableNames tables_;
};

}  // namespace hastore::ha
