// The `hastore` verbs on JDBC and replicated stores, and `hastore copy` between file, JDBC (both
// databases) and replicated stores, compared by their dumps.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>

#include "cli_harness.h"
#include "common/daemon_cluster.h"
#include "common/postgres.h"
#include "common/temp_dir.h"
#include "common/whole_file.h"
#include "hastore/filestore/file_store.h"
#include "hastore/jdbcstore/jdbc_store.h"
#include "hastore/jdbcstore/odbc.h"
#include "hastore/replicated/replicated_store.h"

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
  EXPECT_NE(again.err.find("already holds"), std::string::npos) << again.err;
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

// Two replication daemons in the test's process; the verbs reach them as any client does.
TEST_F(StoreKindsCli, EveryVerbOnAReplicatedStore) {
  DaemonCluster daemons(2, 16ull << 20);  // messages up to 1% of it: kRecords' 100,000 bytes fit
  ASSERT_TRUE(daemons.StartAll());
  TempDir config_dir;
  const std::string daemons_file = config_dir.path() + "/rsd.toml";
  std::ofstream(daemons_file) << replicated::FormatDaemonConfig(daemons.config());
  const std::string file = MakeFileStore();
  const std::string original = Dump(file);

  const std::string rs = "replicated:" + daemons_file + "/orders@ms-1";
  CliResult copied = RunCli({"copy", file, rs});
  ASSERT_EQ(copied.exit_status, 0) << copied.err;
  EXPECT_NE(copied.out.find("copied 4 records"), std::string::npos) << copied.out;
  EXPECT_EQ(Dump(rs), original) << "file -> replicated";

  CliResult verify = RunCli({"verify", rs});
  EXPECT_EQ(verify.exit_status, 0) << verify.out << verify.err;
  EXPECT_NE(verify.out.find("orders@ms-1: clean: 4 records"), std::string::npos) << verify.out;
  CliResult list = RunCli({"list", rs});
  EXPECT_EQ(list.exit_status, 0) << list.err;
  EXPECT_NE(list.out.find("ORDERS@MS-1000000.DAT"), std::string::npos) << list.out;
  CliResult log = RunCli({"dump", "--log", rs});
  EXPECT_EQ(log.exit_status, 0) << log.err;
  EXPECT_GE(std::count(log.out.begin(), log.out.end(), '\n'), static_cast<long>(kRecords.size())) << log.out;
  EXPECT_NE(log.out.find("\t100000\n"), std::string::npos) << "the 100,000-byte record is not in the log\n" << log.out;
  CliResult compact = RunCli({"compact", "--force", rs});
  EXPECT_EQ(compact.exit_status, 0) << compact.out << compact.err;
  EXPECT_EQ(Dump(rs), original) << "after compact";
  CliResult repair = RunCli({"repair", rs});
  EXPECT_EQ(repair.exit_status, 0) << repair.out << repair.err;

  const std::string back = file_copy_dir_.path() + "/back";
  CliResult copied_back = RunCli({"copy", rs, back});
  ASSERT_EQ(copied_back.exit_status, 0) << copied_back.err;
  EXPECT_EQ(Dump(back), original) << "replicated -> file";

  CliResult missing = RunCli({"verify", "replicated:" + daemons_file + "/nobody"});
  EXPECT_NE(missing.exit_status, 0);
  EXPECT_NE(missing.err.find("no segment files of instance nobody on the replication daemons of " + daemons_file),
            std::string::npos) << missing.err;

  // One more commit after the copied records, then a copied record's bytes changed in both
  // daemons' regions (on their disks, which the daemons map): verify names the damage.
  {
    StoreConfig c;
    c.name = "orders";
    c.distribution = Distribution::kDistributed;
    c.server = "ms-1";
    c.kind = StoreKind::kReplicated;
    c.replicated.daemons = daemons_file;
    auto store = OpenReplicatedStore(c, Ownership{0, "cli test"});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto conn = (*store)->OpenConnection("later");
    ASSERT_TRUE(conn.ok());
    Transaction t = (*store)->Begin();
    ASSERT_TRUE(t.Create(*conn, "after the copy").ok());
    ASSERT_TRUE((*store)->Commit(std::move(t)).ok());
    // A verb that writes is refused while this client holds the store, as for a file store.
    CliResult held = RunCli({"compact", rs});
    EXPECT_EQ(held.exit_status, 1) << held.out << held.err;
    EXPECT_NE(held.err.find("is held by cli test"), std::string::npos) << held.err;
    ASSERT_TRUE((*store)->Close().ok());
  }
  int damaged_regions = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(daemons.config().daemons[0].directory + "/..")) {
    if (entry.path().extension() != ".RGN") continue;
    std::string bytes = ReadWholeFile(entry.path().string());
    const size_t at = bytes.find("non-ASCII");
    if (at == std::string::npos) continue;
    std::fstream f(entry.path(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(at));
    f.put('N');
    ++damaged_regions;
  }
  ASSERT_EQ(damaged_regions, 2);
  CliResult damaged = RunCli({"verify", rs});
  EXPECT_EQ(damaged.exit_status, 1) << damaged.out << damaged.err;
  EXPECT_NE(damaged.out.find("damage"), std::string::npos) << damaged.out;
}

TEST_F(StoreKindsCli, BadStoreNamesAreUsageErrors) {
  for (const std::string bad : {"jdbc:Directory=/tmp", "jdbc:Instance=a b;Directory=/tmp", "jdbc:Instance=x",
                                "tape:/x/y", "replicated:orders", "replicated:/etc/rsd.toml/a b"}) {
    CliResult r = RunCli({"dump", bad});
    EXPECT_EQ(r.exit_status, 2) << bad << ": " << r.err;
    EXPECT_FALSE(r.err.empty()) << bad;
  }
}

}  // namespace
}  // namespace hastore::testing
