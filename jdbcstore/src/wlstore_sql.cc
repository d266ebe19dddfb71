#include "wlstore_sql.h"

#include <cassert>

namespace hastore::jdbcstore {

namespace {

// "(?, 1, ?, ?), (?, 1, ?, ?)" or "?, ?, ?": `n` copies of `one`, comma-separated.
std::string Repeat(const std::string& one, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += (i == 0 ? "" : ", ") + one;
  return out;
}

std::vector<std::string> InsertRecordsUpTo(const std::string& table, size_t most) {
  std::vector<std::string> out;
  out.reserve(most);
  for (size_t rows = 1; rows <= most; ++rows) {
    out.push_back("INSERT INTO " + table + " (ID, TYPE, HANDLE, RECORD) VALUES " + Repeat("(?, 1, ?, ?)", rows));
  }
  return out;
}

}  // namespace

WLStoreSql::WLStoreSql(JdbcDatabase database, const std::string& table, size_t inserts_per_batch_maximum,
                       size_t deletes_per_statement_maximum)
    : database_(database),
      lock_fence_shared_("SELECT 1 FROM (SELECT pg_advisory_lock_shared(?)) AS l"),
      unlock_fence_shared_("SELECT 1 FROM (SELECT pg_advisory_unlock_shared(?)) AS l"),
      try_lock_fence_exclusive_("SELECT CASE WHEN pg_try_advisory_xact_lock(?) THEN 1 ELSE 0 END"),
      end_fence_holders_(
          "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_locks WHERE locktype = 'advisory' AND "
          "database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND "
          "CAST(classid AS BIGINT) = ? AND CAST(objid AS BIGINT) = ? AND objsubid = 1 AND pid <> pg_backend_pid()"),
      read_epoch_("SELECT HANDLE FROM " + table + " WHERE ID = 0"),
      fence_(fence_is_update() ? "UPDATE " + table + " SET TYPE = 0 WHERE ID = 0 AND HANDLE = ?"
                               : "SELECT HANDLE FROM " + table + " WHERE ID = 0 LOCK IN SHARE MODE"),  // MariaDB
      backend_session_("SELECT pid, CAST(EXTRACT(EPOCH FROM backend_start) * 1000000 AS BIGINT) FROM pg_stat_activity "
                       "WHERE pid = pg_backend_pid()"),
      backend_runs_("SELECT COUNT(*) FROM pg_stat_activity WHERE pid = ? AND pid <> pg_backend_pid() AND "
                    "CAST(EXTRACT(EPOCH FROM backend_start) * 1000000 AS BIGINT) = ?"),
      row_exists_("SELECT COUNT(*) FROM " + table + " WHERE ID = ?"),
      take_transaction_id_("SELECT txid_current()"),
      insert_records_(InsertRecordsUpTo(table, inserts_per_batch_maximum)),
      insert_connection_("INSERT INTO " + table + " (ID, TYPE, HANDLE, RECORD) VALUES (?, 2, ?, ?)"),
      update_record_("UPDATE " + table + " SET RECORD = ? WHERE ID = ? AND TYPE = 1"),
      delete_records_("DELETE FROM " + table + " WHERE ID IN (" + Repeat("?", deletes_per_statement_maximum) + ")"),
      read_record_("SELECT RECORD FROM " + table + " WHERE ID = ? AND TYPE = 1"),
      scan_connection_("SELECT ID, RECORD FROM " + table + " WHERE TYPE = 1 AND HANDLE = ? ORDER BY ID"),
      load_rows_("SELECT ID, TYPE, HANDLE, LENGTH(RECORD), CASE WHEN TYPE = 2 THEN RECORD END FROM " + table),
      delete_broken_rows_("DELETE FROM " + table +
                          " WHERE TYPE NOT IN (0, 1, 2) OR (TYPE = 0 AND ID <> 0) OR (TYPE = 2 AND ID <> -HANDLE) OR "
                          "(TYPE = 1 AND (ID < 1 OR HANDLE NOT IN (SELECT c.HANDLE FROM " +
                          table + " c WHERE c.TYPE = 2 AND c.ID = -c.HANDLE)))"),
      lock_owner_row_first_(database == JdbcDatabase::kSqlite ? "UPDATE " + table + " SET TYPE = 0 WHERE ID = 0" : ""),
      read_owner_("SELECT HANDLE, RECORD FROM " + table + " WHERE ID = 0" +
                  (database == JdbcDatabase::kSqlite ? "" : " FOR UPDATE")),
      insert_owner_("INSERT INTO " + table + " (ID, TYPE, HANDLE, RECORD) VALUES (0, 0, ?, ?)"),
      update_owner_("UPDATE " + table + " SET HANDLE = ?, RECORD = ? WHERE ID = 0 AND HANDLE = ?") {}

const std::string& WLStoreSql::InsertRecords(size_t rows) const {
  assert(rows >= 1 && rows <= insert_records_.size());
  return insert_records_[rows - 1];
}

}  // namespace hastore::jdbcstore
