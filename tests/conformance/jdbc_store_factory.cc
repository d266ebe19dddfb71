// The JDBC store on SQLite (embedded) and on PostgreSQL, for the conformance suite.
#include "conformance/jdbc_store_factory.h"

#include "jdbcstore/test_table.h"

namespace hastore::testing {
namespace {

class JdbcStoreFactory final : public StoreFactory {
 public:
  // A table of its own per test (TestTable's prefix), so tests on one PostgreSQL database never meet.
  explicit JdbcStoreFactory(TestDatabase database) : table_(database, "conf") { table_.config().name = "conformance"; }
  Result<std::unique_ptr<Store>> OpenAs(const Ownership& ownership) override { return table_.Open(ownership); }
  uint64_t max_record_size() const override { return table_.config().max_record_size; }

 private:
  mutable TestTable table_;  // mutable: TestTable::config() is not const
};

}  // namespace

std::vector<StoreKindParam> JdbcStoreKinds() {
  return {
      {"jdbc_sqlite", [] { return std::unique_ptr<StoreFactory>(new JdbcStoreFactory(TestDatabase::kSqlite)); }},
      {"jdbc_postgresql",
       [] { return std::unique_ptr<StoreFactory>(new JdbcStoreFactory(TestDatabase::kPostgresql)); }},
  };
}

}  // namespace hastore::testing
