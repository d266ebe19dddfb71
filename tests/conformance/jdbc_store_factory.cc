// The JDBC store on SQLite (embedded) and on PostgreSQL, for the conformance suite.
#include "conformance/jdbc_store_factory.h"

#include <unistd.h>

#include <atomic>

#include "common/postgres.h"
#include "common/temp_dir.h"
#include "hastore/jdbcstore/jdbc_store.h"

namespace hastore::testing {
namespace {

class JdbcStoreFactory final : public StoreFactory {
 public:
  explicit JdbcStoreFactory(std::string connection) {
    config_.name = "conformance";
    config_.kind = StoreKind::kJdbc;
    config_.jdbc.directory = dir_.path();
    config_.jdbc.connection = std::move(connection);
    // A table of its own per test, so tests on one PostgreSQL database never meet.
    static std::atomic<int> next{0};
    config_.prefix = "conf" + std::to_string(::getpid()) + "_" + std::to_string(next++);
  }
  Result<std::unique_ptr<Store>> Open() override { return OpenJdbcStore(config_, Ownership{0, "conformance test"}); }
  uint64_t max_record_size() const override { return config_.max_record_size; }

 private:
  TempDir dir_;
  StoreConfig config_;
};

}  // namespace

std::vector<StoreKindParam> JdbcStoreKinds() {
  return {
      {"jdbc_sqlite", [] { return std::unique_ptr<StoreFactory>(new JdbcStoreFactory("")); }},
      {"jdbc_postgresql",
       [] { return std::unique_ptr<StoreFactory>(new JdbcStoreFactory(PostgresConnectionString())); }},
  };
}

}  // namespace hastore::testing
