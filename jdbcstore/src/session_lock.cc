#include "session_lock.h"

#include "hastore/jdbcstore/connection_string.h"
#include "hastore/storage/checksum.h"
#include "hastore/jdbcstore/odbc.h"
#include "hastore/storage/io.h"

namespace hastore::jdbcstore {

namespace {

// A database function that takes the lock without waiting and answers 1 or 0.
class SqlSessionLock final : public SessionLock {
 public:
  SqlSessionLock(std::string connection_string, std::string take_sql, std::string release_sql, std::string describe,
                 int64_t key, std::string name)
      : connection_string_(std::move(connection_string)),
        take_sql_(std::move(take_sql)),
        release_sql_(std::move(release_sql)),
        describe_(std::move(describe)),
        key_(key),
        name_(std::move(name)) {}
  // The lock is let go before the session ends: the database drops a session's locks only when
  // its backend has gone, some time after the disconnect returns, and an owner that closes and
  // reopens at once would find its own lock still taken.
  ~SqlSessionLock() override {
    if (held_ && db_) (void)Run(release_sql_);
  }

  Result<bool> TryAcquire() override {
    if (held_ && db_) {
      // Still held only while its session lives (a database restart ends it).
      if (db_->ExecuteDirect("SELECT 1", "checking the session of " + describe_).ok()) return true;
      db_.reset();
    }
    held_ = false;
    auto db = OdbcConnection::Connect(connection_string_);
    if (!db.ok()) return db.status();
    db_ = std::move(db).value();
    // Session locks outlive transactions: with autocommit each call is one round trip, not a
    // BEGIN, the call and a ROLLBACK.
    HASTORE_RETURN_IF_ERROR(db_->SetAutocommit(true));
    Result<std::optional<int64_t>> got = Run(take_sql_);
    if (!got.ok()) return got.status();
    held_ = *got == 1;  // no row reads as not taken
    if (!held_) db_.reset();
    return held_;
  }
  std::string Describe() const override { return describe_; }

 private:
  // Runs a lock function of the key or name on the lock's session and answers its value.
  Result<std::optional<int64_t>> Run(const std::string& sql) {
    auto stmt = db_->Prepare(sql);  // freed on return, before callers may drop the connection
    if (!stmt.ok()) return stmt.status();
    if (name_.empty()) {
      (*stmt)->BindInt64(1, key_);
    } else {
      (*stmt)->BindBytes(1, name_);
    }
    return (*stmt)->ExecuteScalar();
  }

  const std::string connection_string_, take_sql_, release_sql_, describe_;
  const int64_t key_;
  const std::string name_;
  std::unique_ptr<OdbcConnection> db_;  // the session that holds the lock
  bool held_ = false;
};

// SQLite: a lock file beside the database, which the kernel lets go with the process.
class FileSessionLock final : public SessionLock {
 public:
  FileSessionLock(std::string path, std::string holder) : path_(std::move(path)), holder_(std::move(holder)) {}
  Result<bool> TryAcquire() override {
    if (lock_) return true;
    Result<std::unique_ptr<FileLock>> taken = FileSystem::Default()->Lock(path_, holder_);
    if (!taken.ok()) {
      if (taken.status().code() == StatusCode::kLocked) return false;
      return taken.status();
    }
    lock_ = std::move(taken).value();
    return true;
  }
  std::string Describe() const override { return "lock file " + path_; }

 private:
  const std::string path_, holder_;
  std::unique_ptr<FileLock> lock_;
};

}  // namespace

Result<std::unique_ptr<SessionLock>> MakeSessionLock(JdbcDatabase database, const std::string& connection_string,
                                                     std::string_view table, const std::string& holder) {
  const std::string name = "hastore:" + std::string(table);
  switch (database) {
    case JdbcDatabase::kPostgresql: {
      const auto key = static_cast<int64_t>(Checksum(name));
      return std::unique_ptr<SessionLock>(new SqlSessionLock(
          connection_string, "SELECT CASE WHEN pg_try_advisory_lock(?) THEN 1 ELSE 0 END",
          "SELECT CASE WHEN pg_advisory_unlock(?) THEN 1 ELSE 0 END",
          "advisory lock " + std::to_string(key) + " (" + name + ")", key, ""));
    }
    case JdbcDatabase::kMariadb:
      return std::unique_ptr<SessionLock>(
          new SqlSessionLock(connection_string, "SELECT GET_LOCK(?, 0)", "SELECT RELEASE_LOCK(?)",
                             "GET_LOCK('" + name + "')", 0, name));
    case JdbcDatabase::kSqlite: {
      const std::string file = ConnectionStringValue(connection_string, "Database");
      if (file.empty()) {
        return Status::InvalidArgument("the SQLite connection string names no Database= file, which the lock of table " +
                                       std::string(table) + " lives beside");
      }
      return std::unique_ptr<SessionLock>(new FileSessionLock(file + "." + std::string(table) + ".lock", holder));
    }
    case JdbcDatabase::kAuto: break;
  }
  return Status::InvalidArgument("no session lock for an undetected database");
}

}  // namespace hastore::jdbcstore
