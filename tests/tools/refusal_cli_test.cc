// A refused or failed command changes nothing: every verb that writes (copy, repair, compact,
// migrate, rsd-admin remove and shutdown), on each path where it refuses, leaves the store's
// files (a file store's fence and lock files included), a JDBC store's rows or the replication
// daemons' regions exactly as they were. And `repair --dry-run` says what repair would do,
// which repair then does, and changes nothing itself.
//
// JDBC refusals run on embedded SQLite only: copy's and repair's checks on a destination go
// through the same read-only open and repair call whatever the database.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <sstream>
#include <tuple>

#include "cli_harness.h"
#include "common/daemon_cluster.h"
#include "common/sqlite_digest.h"
#include "common/store_digest.h"
#include "common/temp_dir.h"
#include "hastore/filestore/file_store.h"
#include "hastore/filestore/inspect.h"
#include "hastore/ha/open_authority.h"
#include "hastore/jdbcstore/jdbc_store.h"
#include "hastore/replicated/replicated_store.h"

namespace hastore::testing {
namespace {

// Commits `records` records of 1 KiB on one connection of an open store.
void Fill(Store& store, int records) {
  auto c = store.OpenConnection("queue.A");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  Transaction t = store.Begin();
  for (int i = 0; i < records; ++i) ASSERT_TRUE(t.Create(*c, std::string(1024, static_cast<char>('a' + i % 26))).ok());
  ASSERT_TRUE(store.Commit(std::move(t)).ok());
}

StoreConfig FileConfig(const std::string& dir, const std::string& name) {
  StoreConfig config;
  config.name = name;
  config.file.directory = dir;
  return config;
}

// A closed file store `name` in `dir` holding `records` records; its STORE operand.
std::string MakeFileStore(const std::string& dir, const std::string& name, int records) {
  auto store = OpenFileStore(FileConfig(dir, name), Ownership{0, "refusal test"});
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  if (!store.ok()) return "";
  Fill(**store, records);
  EXPECT_TRUE((*store)->Close().ok());
  return dir + "/" + name;
}

// `out` without the library's log lines ("[2026-... ] [warning] ..."), which go to stdout for now.
std::string WithoutLogLines(const std::string& out) {
  std::string kept;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    if (!line.starts_with("[20")) kept += line + "\n";
  }
  return kept;
}

// Runs `args`, which must be refused with `exit_status` and one line on stderr holding `says`,
// and `digest` must read the same before and after.
void ExpectRefusedUnchanged(const std::vector<std::string>& args, int exit_status, const std::string& says,
                            const std::function<std::string()>& digest) {
  const std::string before = digest();
  const CliResult r = RunCli(args);
  EXPECT_EQ(r.exit_status, exit_status) << ::testing::PrintToString(args) << "\n" << r.out << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find(says), std::string::npos) << "wanted '" << says << "' in: " << r.err;
  EXPECT_EQ(digest(), before) << ::testing::PrintToString(args) << " changed the store";
}

class RefusalCli : public ::testing::Test {
 protected:
  std::function<std::string()> Files(const std::string& dir) {
    return [dir] { return DigestDirectory(dir); };
  }
  std::function<std::string()> Rows(const std::string& dir) {
    return [dir] { return DigestSqliteDatabase(dir + "/hastore.db"); };
  }

  TempDir from_dir_, to_dir_;
};

TEST_F(RefusalCli, CopyOntoAFileStoreWithRecords) {
  const std::string from = MakeFileStore(from_dir_.path(), "from", 3);
  const std::string to = MakeFileStore(to_dir_.path(), "to", 2);
  ExpectRefusedUnchanged({"copy", from, to}, 2, "already holds 2 records", Files(to_dir_.path()));
  // onto itself: the same refusal, before its own writable open
  ExpectRefusedUnchanged({"copy", from, from}, 2, "already holds 3 records", Files(from_dir_.path()));
}

TEST_F(RefusalCli, CopyOntoAHeldStoreOrFromNothing) {
  const std::string from = MakeFileStore(from_dir_.path(), "from", 3);
  {
    auto held = OpenFileStore(FileConfig(to_dir_.path(), "to"), Ownership{0, "the refusal test's holder"});
    ASSERT_TRUE(held.ok()) << held.status().ToString();
    ExpectRefusedUnchanged({"copy", from, to_dir_.path() + "/to"}, 1, "the refusal test's holder", Files(to_dir_.path()));
    ASSERT_TRUE((*held)->Close().ok());
  }
  // A source that is not there: the destination's directory is not even made.
  const std::string parent = to_dir_.path();
  ExpectRefusedUnchanged({"copy", from_dir_.path() + "/nothere", parent + "/new/to"}, 1, "nothere", Files(parent));
  ExpectRefusedUnchanged({"copy", from, "tape:" + parent + "/to"}, 2, "tape", Files(parent));
}

TEST_F(RefusalCli, CopyOntoAJdbcStoreWithRecords) {
  const std::string from = MakeFileStore(from_dir_.path(), "from", 3);
  const std::string to = "jdbc:Instance=orders;Directory=" + to_dir_.path();
  ASSERT_EQ(RunCli({"copy", from, to}).exit_status, 0);
  ExpectRefusedUnchanged({"copy", from, to}, 2, "already holds 3 records", Rows(to_dir_.path()));
}

TEST_F(RefusalCli, RepairAndCompactOfAHeldStore) {
  const std::string store = MakeFileStore(from_dir_.path(), "held", 5);
  auto held = OpenFileStore(FileConfig(from_dir_.path(), "held"), Ownership{0, "the refusal test's holder"},
                            FileStoreOptions{.background_compaction = false});
  ASSERT_TRUE(held.ok()) << held.status().ToString();
  for (const char* verb : {"repair", "compact"}) {
    ExpectRefusedUnchanged({verb, store}, 1, "the refusal test's holder", Files(from_dir_.path()));
  }
  ASSERT_TRUE((*held)->Close().ok());
  // An instance that is not there: nothing is made for it.
  for (const char* verb : {"repair", "compact"}) {
    ExpectRefusedUnchanged({verb, from_dir_.path() + "/nothere"}, 1, "no segment files of instance nothere",
                           Files(from_dir_.path()));
  }
}

TEST_F(RefusalCli, RepairOfAHeldJdbcStore) {
  const std::string to = "jdbc:Instance=orders;Directory=" + to_dir_.path();
  ASSERT_EQ(RunCli({"copy", MakeFileStore(from_dir_.path(), "from", 3), to}).exit_status, 0);
  StoreConfig config;
  config.name = "orders";
  config.kind = StoreKind::kJdbc;
  config.jdbc.directory = to_dir_.path();
  auto held = OpenJdbcStore(config, Ownership{0, "the refusal test's holder"});
  ASSERT_TRUE(held.ok()) << held.status().ToString();
  ExpectRefusedUnchanged({"repair", to}, 1, "is held by a live owner", Rows(to_dir_.path()));
  ASSERT_TRUE((*held)->Close().ok());
}

// A torn tail in the head, a damaged older segment and an orphan: --dry-run lists the cut and
// the moves and changes nothing; repair then does exactly what it listed.
TEST_F(RefusalCli, RepairDryRunSaysWhatRepairDoes) {
  StoreConfig config = FileConfig(from_dir_.path(), "damaged");
  config.file.max_file_size = 1 << 20;
  {
    auto store = OpenFileStore(config, Ownership{0, "refusal test"}, FileStoreOptions{.background_compaction = false});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto c = (*store)->OpenConnection("bulk");
    ASSERT_TRUE(c.ok());
    for (int i = 0; i < 40; ++i) {
      Transaction t = (*store)->Begin();
      ASSERT_TRUE(t.Create(*c, std::string(64 << 10, static_cast<char>('a' + i % 26))).ok());
      ASSERT_TRUE((*store)->Commit(std::move(t)).ok());
    }
    ASSERT_TRUE((*store)->Close().ok());
  }
  auto in = InspectFileStore(from_dir_.path(), "damaged");
  ASSERT_TRUE(in.ok()) << in.status().ToString();
  ASSERT_GE(in->segments.size(), 3u);
  const auto flip = [](const std::string& path, uint64_t at) {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(at));
    char c = 0;
    f.read(&c, 1);
    f.seekp(static_cast<std::streamoff>(at));
    f.put(static_cast<char>(c ^ 0x10));
  };
  flip(from_dir_.path() + "/" + in->segments[1].name, in->segments[1].log_bytes / 2);  // damage in the middle
  {  // garbage where the head's next batch would go: a torn tail
    std::fstream f(from_dir_.path() + "/" + in->segments.back().name, std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(static_cast<std::streamoff>(in->segments.back().log_bytes));
    f << std::string(100, '\xab');
  }
  ASSERT_TRUE(WriteWholeFile(from_dir_.path() + "/DAMAGED000999.DAT", std::string(4096, '\0')));  // an orphan

  const std::string store = from_dir_.path() + "/damaged";
  const std::string before = DigestDirectory(from_dir_.path());
  const CliResult dry = RunCli({"repair", "--dry-run", store});
  ASSERT_EQ(dry.exit_status, 0) << dry.out << dry.err;
  EXPECT_EQ(DigestDirectory(from_dir_.path()), before) << "a dry run changed the store";
  EXPECT_NE(dry.out.find("would move damaged segment to " + from_dir_.path() + "/quarantine/" + in->segments[1].name),
            std::string::npos) << dry.out;
  EXPECT_NE(dry.out.find("would move orphan segment to " + from_dir_.path() + "/quarantine/DAMAGED000999.DAT"),
            std::string::npos) << dry.out;
  EXPECT_NE(dry.out.find("would truncate "), std::string::npos) << dry.out;

  const CliResult real = RunCli({"repair", store});
  ASSERT_EQ(real.exit_status, 0) << real.out << real.err;
  std::string expected = dry.out;
  for (const auto& [would, did] : {std::pair<std::string, std::string>{"would truncate", "truncated"},
                                   {"would move", "moved"}}) {
    for (size_t at; (at = expected.find(would)) != std::string::npos;) expected.replace(at, would.size(), did);
  }
  EXPECT_EQ(WithoutLogLines(real.out), WithoutLogLines(expected));
  EXPECT_NE(DigestDirectory(from_dir_.path()), before);
  const CliResult again = RunCli({"repair", "--dry-run", store});
  EXPECT_EQ(again.out, "damaged: nothing to repair\n") << again.err;
  EXPECT_EQ(RunCli({"verify", store}).exit_status, 0);
}

TEST_F(RefusalCli, RepairDryRunOfAJdbcStoreNamesTheRowAndDeletesNothing) {
  const std::string to = "jdbc:Instance=orders;Directory=" + to_dir_.path();
  ASSERT_EQ(RunCli({"copy", MakeFileStore(from_dir_.path(), "from", 3), to}).exit_status, 0);
  {
    auto db = jdbcstore::OdbcConnection::Connect("Driver=SQLite3;Database=" + to_dir_.path() + "/hastore.db");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    ASSERT_TRUE((*db)->ExecuteDirect("INSERT INTO \"WLStore\" VALUES (999, 1, 77, x'00')", "test insert").ok());
    ASSERT_TRUE((*db)->Commit().ok());
  }
  const std::string before = DigestSqliteDatabase(to_dir_.path() + "/hastore.db");
  const CliResult dry = RunCli({"repair", "--dry-run", to});
  EXPECT_EQ(dry.exit_status, 0) << dry.err;
  EXPECT_NE(dry.out.find("would delete the rows of table WLStore"), std::string::npos) << dry.out;
  EXPECT_NE(dry.out.find("row ID 999"), std::string::npos) << dry.out;
  EXPECT_EQ(DigestSqliteDatabase(to_dir_.path() + "/hastore.db"), before);
}

// Two daemons in this process; their directories hold every region and claim.
class ReplicatedRefusalCli : public RefusalCli {
 protected:
  void SetUp() override {
    ASSERT_TRUE(daemons_.StartAll());
    daemons_file_ = config_dir_.path() + "/rsd.toml";
    std::ofstream(daemons_file_) << replicated::FormatDaemonConfig(daemons_.config());
  }
  std::function<std::string()> Regions() {
    return [this] {
      std::string all;
      for (const auto& d : daemons_.config().daemons) all += DigestDirectory(d.directory);
      return all;
    };
  }
  StoreConfig Config() const {
    StoreConfig c;
    c.name = "orders";
    c.kind = StoreKind::kReplicated;
    c.replicated.daemons = daemons_file_;
    return c;
  }

  DaemonCluster daemons_{2, 16ull << 20};
  TempDir config_dir_;
  std::string daemons_file_;
};

TEST_F(ReplicatedRefusalCli, CopyOntoItWithRecordsAndRemoveWhileHeld) {
  const std::string rs = "replicated:" + daemons_file_ + "/orders";
  ASSERT_EQ(RunCli({"copy", MakeFileStore(from_dir_.path(), "from", 3), rs}).exit_status, 0);
  ExpectRefusedUnchanged({"copy", from_dir_.path() + "/from", rs}, 2, "already holds 3 records", Regions());
  auto held = OpenReplicatedStore(Config(), Ownership{0, "the refusal test's holder"});
  ASSERT_TRUE(held.ok()) << held.status().ToString();
  ExpectRefusedUnchanged({"rsd-admin", "remove", "--config", daemons_file_, "orders"}, 2, "orders", Regions());
  for (const char* verb : {"repair", "compact"}) {
    ExpectRefusedUnchanged({verb, rs}, 1, "the refusal test's holder", Regions());
  }
  ASSERT_TRUE((*held)->Close().ok());
  ExpectRefusedUnchanged({"rsd-admin", "shutdown", "--config", daemons_file_, "--index", "2"}, 2, "--index 2",
                         Regions());
}

// A daemon whose partner missed writes holds the only up-to-date copy: a shutdown without
// --force is refused, and the daemon keeps serving.
TEST_F(ReplicatedRefusalCli, ShutdownOfTheOnlyUpToDateCopy) {
  const int primary = daemons_.config().PairOf("orders").first;
  daemons_.Stop(1 - primary);
  {
    auto store = OpenReplicatedStore(Config(), Ownership{0, "refusal test"});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    Fill(**store, 3);
    ASSERT_TRUE((*store)->Close().ok());
  }
  const auto primary_regions = [&] { return DigestDirectory(daemons_.config().daemons[primary].directory); };
  ExpectRefusedUnchanged({"rsd-admin", "shutdown", "--config", daemons_file_, "--index", std::to_string(primary)}, 2,
                         "orders", primary_regions);
  const CliResult listed = RunCli({"rsd-admin", "daemons", "--config", daemons_file_});
  EXPECT_NE(listed.out.find("daemon " + std::to_string(primary) + " 127.0.0." + std::to_string(2 + primary)),
            std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find("serving"), std::string::npos) << listed.out;
}

// migrate refuses (exit 2) an unknown instance or server, a server that is no candidate and
// one that is not up, and writes nothing to the lease authority.
TEST_F(RefusalCli, MigrateRefusalsLeaveTheAuthorityAlone) {
  const std::string config = from_dir_.path() + "/cluster.toml";
  std::ofstream(config) << "[cluster]\nname = \"refusals\"\nservers = [\"ms1\", \"ms2\", \"ms3\"]\n"
                        << "[leasing]\nbasis = \"local\"\ndirectory = \"" << from_dir_.path() << "/leases\"\n"
                        << "[stores.jms]\nkind = \"file\"\ntarget = \"mt1\"\n"
                        << "[stores.jms.file]\ndirectory = \"" << from_dir_.path() << "/shared\"\n"
                        << "[migratable_targets.mt1]\nuser_preferred_server = \"ms1\"\ncandidate_servers = [\"ms1\", \"ms2\"]\n";
  // A cluster that never ran has no authority to refuse in: status and migrate say so and make none.
  ExpectRefusedUnchanged({"status", "--config", config}, 1, "no lease authority in " + from_dir_.path() + "/leases",
                         Files(from_dir_.path()));
  ExpectRefusedUnchanged({"migrate", "--config", config, "jms", "--to", "ms1"}, 1, "no lease authority",
                         Files(from_dir_.path()));
  {  // as its first server would make it
    auto cluster = ha::LoadClusterConfig(config);
    ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
    ASSERT_TRUE(ha::OpenLeaseAuthority(*cluster).ok());
  }
  ASSERT_EQ(RunCli({"status", "--config", config}).exit_status, 0);
  for (const auto& [name, to, says] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"nosuch", "ms1", "nosuch"}, {"jms", "ms9", "ms9"}, {"jms", "ms3", "ms3"}, {"jms", "ms2", "ms2"}}) {
    ExpectRefusedUnchanged({"migrate", "--config", config, name, "--to", to, "--wait", "0"}, 2, says,
                           [&] { return DigestDirectory(from_dir_.path(), {"lock.mdb"}); });
  }
}

}  // namespace
}  // namespace hastore::testing
