#include "wlstore_sql.h"

namespace hastore::jdbcstore {

namespace {

// "(?, 1, ?, ?), (?, 1, ?, ?)" or "?, ?, ?": `n` copies of `one`, comma-separated.
std::string Repeat(const std::string& one, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += (i == 0 ? "" : ", ") + one;
  return out;
}

}  // namespace

WLStoreSql::WLStoreSql(JdbcDatabase database, std::string quoted_table)
    : database_(database), table_(std::move(quoted_table)) {}

std::string WLStoreSql::Fence() const {
  if (fence_is_update()) return "UPDATE " + table_ + " SET TYPE = 0 WHERE ID = 0 AND HANDLE = ?";
  return "SELECT HANDLE FROM " + table_ + " WHERE ID = 0 LOCK IN SHARE MODE";  // MariaDB
}

std::string WLStoreSql::LockFenceShared() const { return "SELECT 1 FROM (SELECT pg_advisory_lock_shared(?)) AS l"; }

std::string WLStoreSql::TryLockFenceExclusive() const {
  return "SELECT CASE WHEN pg_try_advisory_xact_lock(?) THEN 1 ELSE 0 END";
}

std::string WLStoreSql::EndFenceHolders() const {
  return "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_locks WHERE locktype = 'advisory' AND "
         "database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND "
         "CAST(classid AS BIGINT) = ? AND CAST(objid AS BIGINT) = ? AND objsubid = 1 AND pid <> pg_backend_pid()";
}

std::string WLStoreSql::ReadEpoch() const { return "SELECT HANDLE FROM " + table_ + " WHERE ID = 0"; }

std::string WLStoreSql::InsertRecords(size_t rows) const {
  return "INSERT INTO " + table_ + " (ID, TYPE, HANDLE, RECORD) VALUES " + Repeat("(?, 1, ?, ?)", rows);
}

std::string WLStoreSql::InsertConnection() const {
  return "INSERT INTO " + table_ + " (ID, TYPE, HANDLE, RECORD) VALUES (?, 2, ?, ?)";
}

std::string WLStoreSql::UpdateRecord() const {
  return "UPDATE " + table_ + " SET RECORD = ? WHERE ID = ? AND TYPE = 1";
}

std::string WLStoreSql::DeleteRecords(size_t ids) const {
  return "DELETE FROM " + table_ + " WHERE ID IN (" + Repeat("?", ids) + ")";
}

std::string WLStoreSql::ReadRecord() const { return "SELECT RECORD FROM " + table_ + " WHERE ID = ? AND TYPE = 1"; }

std::string WLStoreSql::ScanConnection() const {
  return "SELECT ID, RECORD FROM " + table_ + " WHERE TYPE = 1 AND HANDLE = ? ORDER BY ID";
}

std::string WLStoreSql::LoadRows() const {
  return "SELECT ID, TYPE, HANDLE, LENGTH(RECORD), CASE WHEN TYPE = 2 THEN RECORD END FROM " + table_;
}

std::string WLStoreSql::DeleteBrokenRows() const {
  return "DELETE FROM " + table_ +
         " WHERE TYPE NOT IN (0, 1, 2) OR (TYPE = 0 AND ID <> 0) OR (TYPE = 2 AND ID <> -HANDLE) OR "
         "(TYPE = 1 AND (ID < 1 OR HANDLE NOT IN (SELECT c.HANDLE FROM " + table_ + " c WHERE c.TYPE = 2 AND c.ID = -c.HANDLE)))";
}

std::string WLStoreSql::LockOwnerRowFirst() const {
  return database_ == JdbcDatabase::kSqlite ? "UPDATE " + table_ + " SET TYPE = 0 WHERE ID = 0" : "";
}

std::string WLStoreSql::ReadOwner() const {
  const std::string read = "SELECT HANDLE, RECORD FROM " + table_ + " WHERE ID = 0";
  return database_ == JdbcDatabase::kSqlite ? read : read + " FOR UPDATE";
}

std::string WLStoreSql::InsertOwner() const {
  return "INSERT INTO " + table_ + " (ID, TYPE, HANDLE, RECORD) VALUES (0, 0, ?, ?)";
}

std::string WLStoreSql::UpdateOwner() const {
  return "UPDATE " + table_ + " SET HANDLE = ?, RECORD = ? WHERE ID = 0 AND HANDLE = ?";
}

}  // namespace hastore::jdbcstore
