// "Is another owner of this table alive?": a lock the owner holds for as long as its store is
// open, which the database (or the kernel, for SQLite's file) drops when the owner's session
// ends, however it ends. See the ownership table in jdbcstore/FORMAT.md.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "hastore/storage/config.h"
#include "hastore/storage/status.h"

namespace hastore::jdbcstore {

class SessionLock {
 public:
  virtual ~SessionLock() = default;
  // true: this process holds it now (again); false: another session holds it.
  virtual Result<bool> TryAcquire() = 0;
  // What the lock is, for messages ("advisory lock 123 on PostgreSQL").
  virtual std::string Describe() const = 0;
};

// PostgreSQL: pg_try_advisory_lock on a connection of its own; MariaDB: GET_LOCK; SQLite:
// FileSystem::Lock of "<database file>.<table>.lock", which `holder` is written into.
// `database` is kSqlite, kPostgresql or kMariadb.
Result<std::unique_ptr<SessionLock>> MakeSessionLock(JdbcDatabase database, const std::string& connection_string,
                                                     std::string_view table, const std::string& holder);

}  // namespace hastore::jdbcstore
