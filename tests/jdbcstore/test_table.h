// A WLStore table of its own for one test, on the embedded SQLite database (a file in a
// temporary directory) or on the suite's PostgreSQL server (tests/common/postgres.h), with the
// few helpers the JDBC store's tests share. The table's prefix holds the pid and a counter, so
// tests on the one PostgreSQL database never meet.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/postgres.h"
#include "common/temp_dir.h"
#include "common/test_database.h"
#include "hastore/jdbcstore/jdbc_store.h"
#include "hastore/jdbcstore/odbc.h"
#include "hastore/jdbcstore/sql_identifier.h"

namespace hastore::testing {

class TestTable {
 public:
  // `tag` starts the prefix: a name the table is easy to recognise by ("own", "hostile", ...).
  TestTable(TestDatabase database, std::string_view tag) {
    static std::atomic<int> next{0};
    config_.name = "jdbctest";
    config_.kind = StoreKind::kJdbc;
    config_.prefix = std::string(tag) + std::to_string(::getpid()) + "_" + std::to_string(next++);
    config_.jdbc.directory = dir_.path();
    if (database == TestDatabase::kPostgresql) config_.jdbc.connection = PostgresConnectionString();
  }

  StoreConfig& config() { return config_; }
  const std::string& dir() const { return dir_.path(); }
  std::string table() const { return config_.table(); }
  // The table quoted part by part, as the store writes it in SQL.
  std::string quoted() const {
    Result<std::string> q = jdbcstore::QuoteTableName(table());
    EXPECT_TRUE(q.ok()) << q.status().ToString();
    return q.ok() ? *q : std::string();
  }

  Result<std::unique_ptr<Store>> Open(const Ownership& ownership = Ownership{0, "test"},
                                      const JdbcStoreOptions& options = {}) const {
    return OpenJdbcStore(config_, ownership, options);
  }
  Result<std::unique_ptr<Store>> OpenReadOnly() const {
    return OpenJdbcStore(config_, Ownership{}, JdbcStoreOptions{.read_only = true});
  }

  // Opens the table (epoch 0), commits `data` in connection "c" and closes the store: the
  // table then holds an owner row, a connection row and a record.
  Status Populate(const std::string& data) const {
    auto store = Open();
    if (!store.ok()) return store.status();
    auto conn = (*store)->OpenConnection("c");
    if (!conn.ok()) return conn.status();
    Transaction txn = (*store)->Begin();
    Result<Handle> h = txn.Create(*conn, data);
    if (!h.ok()) return h.status();
    HASTORE_RETURN_IF_ERROR((*store)->Commit(std::move(txn)));
    return (*store)->Close();
  }

  // A connection of our own to the database, around the store (to plant rows, read catalogs).
  Result<std::unique_ptr<jdbcstore::OdbcConnection>> Connect() const {
    return jdbcstore::OdbcConnection::Connect(config_.jdbc.EffectiveConnection());
  }

 private:
  TempDir dir_;
  StoreConfig config_;
};

// Every record of `connection`, by handle; a failed scan fails the test.
inline std::map<Handle, std::string> ScanAll(const Store& store, const Connection& connection) {
  std::map<Handle, std::string> out;
  Handle last = 0;
  Status s = store.Scan(connection, [&](Handle h, std::string_view data) {
    EXPECT_GT(h, last) << "a scan goes in handle order";
    last = h;
    out.emplace(h, std::string(data));
    return true;
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

// Commits one transaction creating `data` in `connection`; the handles (final only when the
// returned status is OK) go to *handles.
inline Status CommitCreates(Store& store, const Connection& connection, const std::vector<std::string>& data,
                            std::vector<Handle>* handles) {
  Transaction txn = store.Begin();
  for (const std::string& d : data) {
    Result<Handle> h = txn.Create(connection, d);
    if (!h.ok()) return h.status();
    handles->push_back(*h);
  }
  return store.Commit(std::move(txn));
}

// The detail `key` of Stats() ("reconnects", "table"), or "" when there is none.
inline std::string StatsDetail(const Store& store, std::string_view key) {
  for (const auto& [k, v] : store.Stats().details) {
    if (k == key) return v;
  }
  return "";
}

}  // namespace hastore::testing
