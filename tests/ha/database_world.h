// The `database` lease authority under test, on SQLite (a file in a temporary directory) and on
// the PostgreSQL server of the test suite (tests/common/postgres.h), each world with tables of
// its own so tests may run in parallel.
#pragma once

#include <unistd.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "authority_world.h"
#include "common/postgres.h"
#include "hastore/ha/database_lease_authority.h"
#include "hastore/storage/config.h"

namespace hastore::testing {

// The connection string of lease tables under test: the suite's PostgreSQL server, or the
// embedded SQLite on a file in `dir`.
inline std::string TestLeaseConnection(bool postgres, const std::string& dir) {
  return postgres ? PostgresConnectionString() : EmbeddedSqliteConnection(dir + "/leases.db");
}

class DatabaseWorld : public RealTimeWorld {
 public:
  explicit DatabaseWorld(bool postgres) {
    static std::atomic<int> next{0};
    settings_.connection = TestLeaseConnection(postgres, dir_.path());
    settings_.table = "SUITE_" + std::to_string(::getpid()) + "_" + std::to_string(next++);
    settings_.cluster = "suite";
    settings_.create_table = true;
  }
  Result<std::unique_ptr<ha::LeaseAuthority>> Open() override { return ha::OpenDatabaseLeaseAuthority(settings_); }

 private:
  TempDir dir_;
  ha::DatabaseLeaseSettings settings_;
};

template <class Kind>
std::vector<Kind> DatabaseWorldKinds() {
  return {{"sqlite", [] { return std::make_unique<DatabaseWorld>(false); }},
          {"postgresql", [] { return std::make_unique<DatabaseWorld>(true); }}};
}

}  // namespace hastore::testing
