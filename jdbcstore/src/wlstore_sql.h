// The SQL text of every statement a JDBC store sends (jdbcstore/FORMAT.md), for one table and
// one database. Values always travel as parameters; only the quoted table name and the
// number of placeholders are in the text.
#pragma once

#include <cstddef>
#include <string>

#include "hastore/storage/config.h"

namespace hastore::jdbcstore {

class WLStoreSql {
 public:
  // `quoted_table` from QuoteTableName; `database` is kSqlite, kPostgresql or kMariadb.
  WLStoreSql(JdbcDatabase database, std::string quoted_table);

  // PostgreSQL fences by session (FORMAT.md): each worker connection holds the fence lock
  // shared and checks the epoch once, after taking it; a new owner takes it exclusively,
  // ending the sessions of the old one. No statement per commit.
  bool fence_by_session() const { return database_ == JdbcDatabase::kPostgresql; }
  std::string LockFenceShared() const;     // key; waits while a new owner holds it
  std::string TryLockFenceExclusive() const;  // key -> 1 or 0; held to the end of the transaction
  std::string EndFenceHolders() const;     // high and low half of the key -> sessions ended
  std::string ReadEpoch() const;           // -> HANDLE of the owner row

  // Otherwise a statement per commit: SQLite takes the fence with an UPDATE (one param: the
  // epoch; one row must change); MariaDB reads the epoch under a shared row lock. Not used on
  // PostgreSQL.
  bool fence_is_update() const { return database_ == JdbcDatabase::kSqlite; }
  std::string Fence() const;

  std::string InsertRecords(size_t rows) const;  // (ID, HANDLE, RECORD) per row
  std::string InsertConnection() const;          // ID, HANDLE, RECORD
  std::string UpdateRecord() const;              // RECORD, ID
  std::string DeleteRecords(size_t ids) const;   // the IDs
  std::string ReadRecord() const;                // ID -> RECORD
  std::string ScanConnection() const;            // HANDLE -> ID, RECORD in ID order
  // Every row: -> ID, TYPE, HANDLE, LENGTH(RECORD), and RECORD for connection rows only (a
  // connection's name; record bytes stay in the database).
  std::string LoadRows() const;
  std::string DeleteBrokenRows() const;          // every row FORMAT.md does not allow, the lowest of their IDs
  // SQLite: an UPDATE of the owner row that takes the write lock before ReadOwner, so no other
  // writer slips between a claim's read and its write; "" where ReadOwner locks the row itself.
  std::string LockOwnerRowFirst() const;
  std::string ReadOwner() const;                 // -> HANDLE, RECORD (locked for update where possible)
  std::string InsertOwner() const;               // HANDLE, RECORD
  std::string UpdateOwner() const;               // HANDLE, RECORD, old HANDLE

 private:
  const JdbcDatabase database_;
  const std::string table_;
};

}  // namespace hastore::jdbcstore
