// Kinds "jdbc-sqlite" and "jdbc-postgresql": the hastore JDBC store under test (through
// MakeStoreTarget); and their references "row-sqlite" and "row-postgresql": each
// writer on its own ODBC connection does one single-row INSERT and one COMMIT per commit, into
// a WLStore-shaped table of the same database. Every row of the run gets a table of its own,
// dropped at Close (SQLite's database file goes with the row's scratch directory).
//
// The reference reaches jdbcstore's private ODBC wrapper on purpose (as micro_bench reaches
// filestore's): it must send exactly what a plain ODBC client would.
#include <unistd.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "commit_target.h"
#include "hastore/jdbcstore/ddl.h"
#include "hastore/jdbcstore/jdbc_store.h"
#include "hastore/jdbcstore/odbc.h"
#include "hastore/jdbcstore/sql_identifier.h"
#include "table_schema.h"

namespace hastore::bench {

namespace {

using jdbcstore::OdbcConnection;
using jdbcstore::OdbcStatement;

// A table name no other row of any run uses.
std::string FreshPrefix() {
  static std::atomic<int> next{0};
  return "bench" + std::to_string(::getpid()) + "_" + std::to_string(next++);
}

Status DropTable(const std::string& connection_string, const std::string& table) {
  auto db = OdbcConnection::Connect(connection_string);
  if (!db.ok()) return db.status();
  auto quoted = jdbcstore::QuoteTableName(table);
  if (!quoted.ok()) return quoted.status();
  HASTORE_RETURN_IF_ERROR((*db)->ExecuteDirect("DROP TABLE " + *quoted, "dropping bench table " + table));
  return (*db)->Commit();
}

constexpr std::string_view kPostgresql = "postgresql";

class RowTarget final : public CommitTarget {
 public:
  RowTarget(std::string connection_string, std::string table, std::string insert_sql, bool postgresql)
      : connection_string_(std::move(connection_string)),
        table_(std::move(table)),
        insert_sql_(std::move(insert_sql)),
        postgresql_(postgresql) {}

  Status Commit(std::string_view record) override {
    Result<std::unique_ptr<Session>> session = Take();
    if (!session.ok()) return session.status();
    OdbcStatement& insert = *(*session)->insert;
    insert.Reset();
    insert.BindInt64(1, next_id_.fetch_add(1, std::memory_order_relaxed));
    insert.BindBytes(2, record);
    Status s = insert.Execute();
    if (s.ok()) s = (*session)->db->Commit();
    if (!s.ok()) return s;  // the session is dropped with its unknown state
    std::lock_guard lock(mu_);
    idle_.push_back(std::move(session).value());
    return Status::Ok();
  }

  Status Close() override {
    {
      std::lock_guard lock(mu_);
      idle_.clear();
    }
    return DropTable(connection_string_, table_);
  }

 private:
  struct Session {
    std::unique_ptr<OdbcConnection> db;
    std::unique_ptr<OdbcStatement> insert;  // destroyed before db (declared after it)
  };

  // An idle session, or a new one: each writer ends up with a connection of its own.
  Result<std::unique_ptr<Session>> Take() {
    {
      std::lock_guard lock(mu_);
      if (!idle_.empty()) {
        auto s = std::move(idle_.back());
        idle_.pop_back();
        return s;
      }
    }
    auto session = std::make_unique<Session>();
    auto db = OdbcConnection::Connect(connection_string_);
    if (!db.ok()) return db.status();
    session->db = std::move(db).value();
    if (postgresql_) {  // the reference's durability does not depend on the server's default
      HASTORE_RETURN_IF_ERROR(session->db->ExecuteDirect("SET synchronous_commit = on", "setting synchronous_commit"));
      HASTORE_RETURN_IF_ERROR(session->db->Commit());
    }
    auto insert = session->db->Prepare(insert_sql_);
    if (!insert.ok()) return insert.status();
    session->insert = std::move(insert).value();
    return session;
  }

  const std::string connection_string_, table_, insert_sql_;
  const bool postgresql_;
  std::atomic<int64_t> next_id_{1};
  std::mutex mu_;
  std::vector<std::unique_ptr<Session>> idle_;
};

StoreConfig JdbcBenchConfig(const std::string& dir, const std::string& connection_string, uint32_t workers) {
  StoreConfig config;
  config.name = "bench";
  config.kind = StoreKind::kJdbc;
  config.prefix = FreshPrefix();
  config.jdbc.directory = dir;
  config.jdbc.connection = connection_string;
  config.jdbc.worker_count = workers;
  return config;
}

}  // namespace

Status RequireSynchronousCommit(const std::string& connection_string) {
  auto db = OdbcConnection::Connect(connection_string);
  if (!db.ok()) return db.status();
  auto show = (*db)->Prepare("SELECT CASE WHEN current_setting('synchronous_commit') = 'off' THEN 0 ELSE 1 END");
  if (!show.ok()) return show.status();
  Result<std::optional<int64_t>> on = (*show)->ExecuteScalar();
  if (!on.ok()) return on.status();
  if (*on != 1) {
    return Status::InvalidArgument(
        "the PostgreSQL server runs with synchronous_commit = off: its commits are not durable, and the bench "
        "compares durable commits");
  }
  return Status::Ok();
}

Result<std::unique_ptr<CommitTarget>> OpenJdbcTarget(const std::string& dir, const std::string& connection_string,
                                                     uint32_t workers) {
  const StoreConfig config = JdbcBenchConfig(dir, connection_string, workers);
  return MakeStoreTarget(OpenJdbcStore(config, Ownership{0, "hastore bench"}),
                         [cs = config.jdbc.EffectiveConnection(), table = config.table()] { return DropTable(cs, table); });
}

Result<std::unique_ptr<CommitTarget>> OpenRowTarget(const std::string& dir, const std::string& connection_string,
                                                    const std::string& database) {
  const StoreConfig config = JdbcBenchConfig(dir, connection_string, 1);
  const std::string cs = config.jdbc.EffectiveConnection();
  const std::string table = config.table();
  auto db = OdbcConnection::Connect(cs);
  if (!db.ok()) return db.status();
  auto ddl = jdbcstore::ShippedDdl(database);
  if (!ddl.ok()) return ddl.status();
  HASTORE_RETURN_IF_ERROR(jdbcstore::EnsureWLStoreTable(**db, table, *ddl));
  auto quoted = jdbcstore::QuoteTableName(table);
  if (!quoted.ok()) return quoted.status();
  return std::unique_ptr<CommitTarget>(std::make_unique<RowTarget>(
      cs, table, "INSERT INTO " + *quoted + " (ID, TYPE, HANDLE, RECORD) VALUES (?, 1, 1, ?)", database == kPostgresql));
}

}  // namespace hastore::bench
