// The embedded SQLite database of a JDBC store with jdbc.directory: connecting to one that is
// not there makes an empty one, so whatever must not create a store (a read-only open, a
// repair) first asks whether it exists.
#pragma once

#include <filesystem>
#include <string>
#include <system_error>

#include "hastore/storage/config.h"
#include "hastore/storage/status.h"

namespace hastore::jdbcstore {

// Ok for a store on a database server (jdbc.connection); kNotFound, naming the file, when the
// embedded database is not there.
inline Status CheckEmbeddedDatabaseExists(const JdbcStoreSettings& jdbc) {
  if (!jdbc.connection.empty()) return Status::Ok();
  const std::string db = jdbc.EmbeddedDatabasePath();
  std::error_code error;
  const bool exists = std::filesystem::exists(db, error);
  if (error) return Status::IOError("cannot look for the embedded SQLite database " + db + ": " + error.message());
  if (!exists) return Status::NotFound("no embedded SQLite database " + db);
  return Status::Ok();
}

}  // namespace hastore::jdbcstore
