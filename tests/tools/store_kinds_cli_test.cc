// The `hastore` verbs on JDBC stores, and `hastore copy` between file and JDBC stores of both
// databases, compared by their dumps.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>

#include "cli_harness.h"
#include "common/postgres.h"
#include "common/temp_dir.h"
#include "hastore/filestore/file_store.h"
#include "hastore/jdbcstore/jdbc_store.h"
#include "hastore/jdbcstore/odbc.h"

namespace hastore::testing {
namespace {

// Connection names and bytes that would break SQL or a text format if spliced into either.
const std::vector<std::pair<std::string, std::string>> kRecords = {
    {"queue.A", "hello"},
    {"it's \"quoted\"; --", std::string("\x00\x01\xff'; DROP TABLE x; --", 27)},
    {"名前", "non-ASCII é"},
    {"queue.A", std::string(100000, 'z')},
    {"empty record", ""},
};

std::string UniquePrefix() {
  static std::atomic<int> next{0};
  return "cli" + std::to_string(::getpid()) + "_" + std::to_string(next++);
}

class StoreKindsCli : public ::testing::Test {
 protected:
  // A file store holding kRecords plus one removed record (so handles have a gap).
  std::string MakeFileStore() {
    StoreConfig config;
    config.name = "orders";
    config.file.directory = file_dir_.path();
    auto store = OpenFileStore(config, Ownership{0, "cli test"});
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    if (!store.ok()) return "";
    Transaction t = (*store)->Begin();
    Handle gone = 0;
    for (const auto& [conn, data] : kRecords) {
      auto c = (*store)->OpenConnection(conn);
      EXPECT_TRUE(c.ok());
      auto h = t.Create(*c, data);
      if (gone == 0) gone = *h;
    }
    EXPECT_TRUE((*store)->Commit(std::move(t)).ok());
    Transaction r = (*store)->Begin();
    EXPECT_TRUE(r.Remove(gone).ok());
    EXPECT_TRUE((*store)->Commit(std::move(r)).ok());
    EXPECT_TRUE((*store)->Close().ok());
    return file_dir_.path() + "/orders";
  }

  std::string Dump(const std::string& store) {
    CliResult r = RunCli({"dump", store});
    EXPECT_EQ(r.exit_status, 0) << store << ": " << r.err;
    return r.out;
  }

  TempDir file_dir_, sqlite_dir_, file_copy_dir_;
};

TEST_F(StoreKindsCli, CopyFileToJdbcToFileToPostgresKeepsEverything) {
  const std::string file = MakeFileStore();
  const std::string original = Dump(file);
  ASSERT_EQ(std::count(original.begin(), original.end(), '\n'), static_cast<long>(kRecords.size()) - 1);

  const std::string sqlite = "jdbc:Instance=orders@ms-1;Prefix=app_;Directory=" + sqlite_dir_.path();
  CliResult c1 = RunCli({"copy", file, sqlite});
  ASSERT_EQ(c1.exit_status, 0) << c1.err;
  EXPECT_NE(c1.out.find("copied 4 records"), std::string::npos) << c1.out;
  EXPECT_EQ(Dump(sqlite), original) << "file -> jdbc (SQLite)";

  const std::string file_copy = file_copy_dir_.path() + "/copied";
  CliResult c2 = RunCli({"copy", sqlite, file_copy});
  ASSERT_EQ(c2.exit_status, 0) << c2.err;
  EXPECT_EQ(Dump(file_copy), original) << "jdbc -> file";

  const std::string pg = "jdbc:Instance=orders;Prefix=" + UniquePrefix() + ";" + PostgresConnectionString();
  CliResult c3 = RunCli({"copy", sqlite, pg});
  ASSERT_EQ(c3.exit_status, 0) << c3.err;
  EXPECT_EQ(Dump(pg), original) << "jdbc (SQLite) -> jdbc (PostgreSQL)";

  // Handles are kept, and the copy hands out none of them again.
  StoreConfig config;
  config.name = "copied";
  config.file.directory = file_copy_dir_.path();
  auto store = OpenFileStore(config, Ownership{0, "cli test"});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  Handle highest = 0;
  for (const Connection& c : (*store)->Connections()) {
    ASSERT_TRUE((*store)->Scan(c, [&](Handle h, std::string_view) {
      highest = std::max(highest, h);
      return true;
    }).ok());
  }
  Transaction t = (*store)->Begin();
  auto fresh = t.Create((*store)->Connections().front(), "new");
  ASSERT_TRUE(fresh.ok());
  EXPECT_GT(*fresh, highest);

  // A destination with records is refused and left alone.
  CliResult again = RunCli({"copy", file, sqlite});
  EXPECT_EQ(again.exit_status, 2) << again.out << again.err;
  EXPECT_NE(again.err.find("already holds records"), std::string::npos) << again.err;
  EXPECT_EQ(Dump(sqlite), original);
}

TEST_F(StoreKindsCli, VerifyListAndRepairOnJdbc) {
  const std::string sqlite = "jdbc:Instance=orders;Directory=" + sqlite_dir_.path();
  ASSERT_EQ(RunCli({"copy", MakeFileStore(), sqlite}).exit_status, 0);
  CliResult verify = RunCli({"verify", sqlite});
  EXPECT_EQ(verify.exit_status, 0) << verify.err;
  EXPECT_NE(verify.out.find("orders: clean: 4 records"), std::string::npos) << verify.out;
  CliResult list = RunCli({"list", sqlite});
  EXPECT_EQ(list.exit_status, 0) << list.err;
  EXPECT_NE(list.out.find("table: WLStore"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("connection queue.A: 1 records"), std::string::npos) << list.out;
  EXPECT_EQ(RunCli({"repair", sqlite}).out, "orders: nothing to repair\n");

  // A row that no hastore transaction writes: verify names it, repair deletes it, and the
  // store's own records are untouched.
  {
    auto db = jdbcstore::OdbcConnection::Connect("Driver=SQLite3;Database=" + sqlite_dir_.path() + "/hastore.db");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    ASSERT_TRUE((*db)->ExecuteDirect("INSERT INTO \"WLStore\" VALUES (999, 1, 77, x'00')", "test insert").ok());
    ASSERT_TRUE((*db)->Commit().ok());
  }
  CliResult damaged = RunCli({"verify", sqlite});
  EXPECT_EQ(damaged.exit_status, 1);
  EXPECT_NE(damaged.out.find("table WLStore, row ID 999"), std::string::npos) << damaged.out;
  CliResult repair = RunCli({"repair", sqlite});
  EXPECT_EQ(repair.exit_status, 0) << repair.err;
  EXPECT_NE(repair.out.find("deleted 1 rows"), std::string::npos) << repair.out;
  CliResult clean = RunCli({"verify", sqlite});
  EXPECT_EQ(clean.exit_status, 0) << clean.out;
  EXPECT_NE(clean.out.find("clean: 4 records"), std::string::npos) << clean.out;
}

TEST_F(StoreKindsCli, BadJdbcNamesAreUsageErrors) {
  for (const std::string bad : {"jdbc:Directory=/tmp", "jdbc:Instance=a b;Directory=/tmp", "jdbc:Instance=x",
                                "tape:/x/y"}) {
    CliResult r = RunCli({"dump", bad});
    EXPECT_EQ(r.exit_status, 2) << bad << ": " << r.err;
    EXPECT_FALSE(r.err.empty()) << bad;
  }
}

}  // namespace
}  // namespace hastore::testing
