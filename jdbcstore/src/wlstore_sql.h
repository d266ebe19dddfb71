// The SQL text of every statement a JDBC store sends (jdbcstore/FORMAT.md), for one table and
// one database. Values always travel as parameters; only the quoted table name and the
// number of placeholders are in the text.
//
// Every statement is built once, by the constructor: the commit path asks for them per group
// and per operation, and DatabaseLink looks its prepared statements up by this text.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "hastore/storage/config.h"

namespace hastore::jdbcstore {

class WLStoreSql {
 public:
  // `quoted_table` from QuoteTableName; `database` is kSqlite, kPostgresql or kMariadb.
  // InsertRecords has a text for each of 1 to `inserts_per_batch_maximum` rows (about 7 MB of
  // text at the limit of 1000, 4 KB at the default of 20); DeleteRecords lists
  // `deletes_per_statement_maximum` IDs.
  WLStoreSql(JdbcDatabase database, const std::string& quoted_table, size_t inserts_per_batch_maximum,
             size_t deletes_per_statement_maximum);

  // PostgreSQL fences by session (FORMAT.md): each worker connection holds the fence lock
  // shared and checks the epoch once, after taking it; a new owner takes it exclusively,
  // ending the sessions of the old one. No statement per commit.
  bool fence_by_session() const { return database_ == JdbcDatabase::kPostgresql; }
  const std::string& LockFenceShared() const { return lock_fence_shared_; }  // key; waits while a new owner holds it
  // key; before a worker's session ends: PostgreSQL frees a closed session's locks only once
  // its backend has exited, and a reopen at once would find them held and end those sessions
  const std::string& UnlockFenceShared() const { return unlock_fence_shared_; }
  // key -> 1 or 0; held to the end of the transaction
  const std::string& TryLockFenceExclusive() const { return try_lock_fence_exclusive_; }
  // high and low half of the key -> sessions ended
  const std::string& EndFenceHolders() const { return end_fence_holders_; }
  const std::string& ReadEpoch() const { return read_epoch_; }  // -> HANDLE of the owner row
  // PostgreSQL's creates-only groups of one INSERT run with autocommit on (FORMAT.md,
  // "Commits"): one round trip, where a transaction takes three (BEGIN, INSERT, COMMIT).
  bool one_statement_groups() const { return fence_by_session(); }
  // -> this session's backend pid, and when it started (µs since 1970)
  const std::string& BackendSession() const { return backend_session_; }
  // pid, started -> 1 if that backend (not this one) still runs, else 0
  const std::string& BackendRuns() const { return backend_runs_; }
  const std::string& RowExists() const { return row_exists_; }  // ID -> 1 or 0
  // Takes a transaction id, so that the COMMIT after it waits for synchronous standbys up to
  // this point of the WAL, as a commit of our own would.
  const std::string& TakeTransactionId() const { return take_transaction_id_; }

  // Otherwise a statement per commit: SQLite takes the fence with an UPDATE (one param: the
  // epoch; one row must change); MariaDB reads the epoch under a shared row lock. Not used on
  // PostgreSQL.
  bool fence_is_update() const { return database_ == JdbcDatabase::kSqlite; }
  const std::string& Fence() const { return fence_; }

  // (ID, HANDLE, RECORD) per row; `rows` from 1 to inserts_per_batch_maximum.
  const std::string& InsertRecords(size_t rows) const;
  const std::string& InsertConnection() const { return insert_connection_; }  // ID, HANDLE, RECORD
  const std::string& UpdateRecord() const { return update_record_; }          // RECORD, ID
  const std::string& DeleteRecords() const { return delete_records_; }        // deletes_per_statement_maximum IDs
  const std::string& ReadRecord() const { return read_record_; }              // ID -> RECORD
  const std::string& ScanConnection() const { return scan_connection_; }      // HANDLE -> ID, RECORD in ID order
  // Every row: -> ID, TYPE, HANDLE, LENGTH(RECORD), and RECORD for connection rows only (a
  // connection's name; record bytes stay in the database).
  const std::string& LoadRows() const { return load_rows_; }
  // every row FORMAT.md does not allow, the lowest of their IDs
  const std::string& DeleteBrokenRows() const { return delete_broken_rows_; }
  // SQLite: an UPDATE of the owner row that takes the write lock before ReadOwner, so no other
  // writer slips between a claim's read and its write; "" where ReadOwner locks the row itself.
  const std::string& LockOwnerRowFirst() const { return lock_owner_row_first_; }
  // -> HANDLE, RECORD (locked for update where possible)
  const std::string& ReadOwner() const { return read_owner_; }
  const std::string& InsertOwner() const { return insert_owner_; }  // HANDLE, RECORD
  const std::string& UpdateOwner() const { return update_owner_; }  // HANDLE, RECORD, old HANDLE

 private:
  const JdbcDatabase database_;
  const std::string lock_fence_shared_, unlock_fence_shared_, try_lock_fence_exclusive_, end_fence_holders_, read_epoch_, fence_,
      backend_session_, backend_runs_, row_exists_, take_transaction_id_;
  std::vector<std::string> insert_records_;  // [rows - 1]
  const std::string insert_connection_, update_record_, delete_records_, read_record_, scan_connection_, load_rows_,
      delete_broken_rows_, lock_owner_row_first_, read_owner_, insert_owner_, update_owner_;
};

}  // namespace hastore::jdbcstore
