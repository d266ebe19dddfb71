// The `hastore` command, run as a real process against stores made with the library.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/temp_dir.h"
#include "hastore/filestore/file_store.h"
#include "hastore/filestore/inspect.h"
#include "cli_harness.h"

namespace hastore::testing {
namespace {

using nlohmann::json;

std::vector<std::string> SplitTabs(const std::string& line) {
  std::vector<std::string> fields;
  std::istringstream in(line);
  for (std::string f; std::getline(in, f, '\t');) fields.push_back(f);
  if (!line.empty() && line.back() == '\t') fields.emplace_back();
  return fields;
}

// ---- names -------------------------------------------------------------------------------

TEST(CliNames, EveryVectorRow) {
  std::ifstream tsv(HASTORE_VECTORS_DIR "/names.tsv");
  ASSERT_TRUE(tsv) << HASTORE_VECTORS_DIR "/names.tsv";
  int rows = 0;
  for (std::string line; std::getline(tsv, line);) {
    if (line.empty() || line[0] == '#') continue;
    const std::vector<std::string> f = SplitTabs(line);
    ASSERT_EQ(f.size(), 8u) << line;
    std::vector<std::string> args = {"names", "--store", f[2], "--server", f[3], "--distribution", f[1]};
    if (!f[0].empty()) args.insert(args.end(), {"--prefix", f[0]});
    const CliResult text = RunCli(args);
    ASSERT_EQ(text.exit_status, 0) << line << "\n" << text.err;
    EXPECT_EQ(text.out, "instance: " + f[4] + "\ndat: " + f[6] + "\nrgn: " + f[7] + "\ntable: " + f[5] + "\n") << line;
    args.push_back("--json");
    const CliResult js = RunCli(args);
    ASSERT_EQ(js.exit_status, 0) << line << "\n" << js.err;
    EXPECT_EQ(json::parse(js.out), json({{"instance", f[4]}, {"dat", f[6]}, {"rgn", f[7]}, {"table", f[5]}})) << line;
    ++rows;
  }
  EXPECT_GE(rows, 8);
}

TEST(CliNames, BadInputIsAUsageError) {
  const std::vector<std::vector<std::string>> cases = {
      {"--store", "bad name!"},
      {"--store", "s", "--distribution", "clustered"},
      {"--store", "s", "--distribution", "distributed"},  // no server
      {"--store", "s", "--server", "a/b", "--distribution", "distributed"},
      {"--store", "s", "--prefix", "a..b"},
      {"--store", std::string(129, 'x')},
      {},  // no --store
  };
  for (const auto& c : cases) {
    std::vector<std::string> args = {"names"};
    args.insert(args.end(), c.begin(), c.end());
    const CliResult r = RunCli(args);
    EXPECT_EQ(r.exit_status, 2) << ::testing::PrintToString(c);
    EXPECT_TRUE(r.out.empty()) << r.out;
    EXPECT_EQ(r.err.rfind("hastore names: ", 0), 0u) << r.err;
  }
}

// ---- the command line ----------------------------------------------------------------------

TEST(CliCommand, EveryVerbHasHelp) {
  const CliResult top = RunCli({"--help"});
  EXPECT_EQ(top.exit_status, 0);
  EXPECT_NE(top.out.find("verify"), std::string::npos) << top.out;
  for (const char* verb : {"names", "list", "dump", "verify", "repair", "compact", "copy", "bench", "config", "agent",
                           "demo", "status", "migrate"}) {
    const CliResult r = RunCli({verb, "--help"});
    EXPECT_EQ(r.exit_status, 0) << verb << ": " << r.err;
    EXPECT_NE(r.out.find(verb), std::string::npos) << r.out;
    EXPECT_NE(top.out.find("\n  " + std::string(verb) + " "), std::string::npos) << verb << " is not in\n" << top.out;
  }
}

TEST(CliCommand, UnknownVerbOrNoneIsAUsageError) {
  const CliResult unknown = RunCli({"frobnicate"});
  EXPECT_EQ(unknown.exit_status, 2);
  EXPECT_NE(unknown.err.find("unknown verb 'frobnicate'"), std::string::npos) << unknown.err;
  EXPECT_EQ(RunCli({}).exit_status, 2);
  EXPECT_EQ(RunCli({"verify", "--no-such-option", "x/y"}).exit_status, 2);
}

// ---- verbs on stores ---------------------------------------------------------------------

class CliStore : public ::testing::Test {
 protected:
  CliStore() {
    config_.name = "orders";
    config_.server = "ms1";
    config_.distribution = Distribution::kDistributed;
    config_.file.directory = dir_.path();
  }

  std::string store_arg() const { return dir_.path() + "/orders@ms1"; }

  std::unique_ptr<Store> Open(const std::string& holder = "cli test") {
    auto store = OpenFileStore(config_, Ownership{0, holder}, FileStoreOptions{.background_compaction = false});
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : nullptr;
  }

  // Two connections; one record updated, one removed, so the log holds every record type.
  void MakeSmallStore() {
    auto store = Open();
    ASSERT_TRUE(store);
    auto a = store->OpenConnection("queue.A");
    auto b = store->OpenConnection("topic B");
    ASSERT_TRUE(a.ok() && b.ok());
    Transaction t = store->Begin();
    hello_ = *t.Create(*a, "hello");
    binary_ = *t.Create(*b, std::string("\x00\x01\xff", 3));
    slash_ = *t.Create(*b, "back\\slash");
    const Handle gone = *t.Create(*a, "gone");
    ASSERT_TRUE(store->Commit(std::move(t)).ok());
    Transaction u = store->Begin();
    ASSERT_TRUE(u.Update(hello_, "hello again").ok());
    ASSERT_TRUE(u.Remove(gone).ok());
    ASSERT_TRUE(store->Commit(std::move(u)).ok());
    ASSERT_TRUE(store->Close().ok());
  }

  // About 3 MiB in 1 MiB segments.
  void MakeSegmentedStore() {
    config_.file.max_file_size = 1 << 20;
    auto store = Open();
    ASSERT_TRUE(store);
    auto c = store->OpenConnection("bulk");
    ASSERT_TRUE(c.ok());
    for (int i = 0; i < 48; ++i) {
      Transaction t = store->Begin();
      ASSERT_TRUE(t.Create(*c, std::string(64 << 10, static_cast<char>('a' + i % 26))).ok());
      ASSERT_TRUE(store->Commit(std::move(t)).ok());
    }
    ASSERT_TRUE(store->Close().ok());
  }

  FileStoreInspection Inspect() {
    auto in = InspectFileStore(dir_.path(), "orders@ms1");
    EXPECT_TRUE(in.ok()) << in.status().ToString();
    return in.ok() ? *in : FileStoreInspection{};
  }

  TempDir dir_;
  StoreConfig config_;
  Handle hello_ = 0, binary_ = 0, slash_ = 0;
};

TEST_F(CliStore, ListsADirectoryAndAStore) {
  MakeSmallStore();
  const CliResult dir = RunCli({"list", dir_.path()});
  ASSERT_EQ(dir.exit_status, 0) << dir.err;
  EXPECT_EQ(dir.out.rfind("orders@ms1: records 3, record bytes ", 0), 0u) << dir.out;
  const CliResult dir_json = RunCli({"list", "--json", dir_.path()});
  ASSERT_EQ(dir_json.exit_status, 0) << dir_json.err;
  EXPECT_EQ(json::parse(dir_json.out).at(0).at("instance"), "orders@ms1");

  const CliResult one = RunCli({"list", store_arg()});
  ASSERT_EQ(one.exit_status, 0) << one.err;
  for (const char* want : {"instance: orders@ms1\n", "connections: 2\n", "  queue.A: 1 records\n", "records: 3\n",
                           "torn tail: none\n", "fence holder: cli test", "engine: "}) {
    EXPECT_NE(one.out.find(want), std::string::npos) << want << " in\n" << one.out;
  }
  const CliResult one_json = RunCli({"list", "--json", "file:" + store_arg()});
  ASSERT_EQ(one_json.exit_status, 0) << one_json.err;
  const json j = json::parse(one_json.out);
  EXPECT_EQ(j.at("records"), 3);
  EXPECT_EQ(j.at("connections").at("topic B"), 2);
  EXPECT_TRUE(j.at("damage").is_null());
  EXPECT_FALSE(j.at("segments").empty());
  const std::string engine = j.at("engine");
  EXPECT_EQ(engine, "pwrite") << "what an open with io_engine auto takes";
}

TEST_F(CliStore, DumpsLiveRecordsAndTheLog) {
  MakeSmallStore();
  const CliResult text = RunCli({"dump", store_arg()});
  ASSERT_EQ(text.exit_status, 0) << text.err;
  EXPECT_EQ(text.out, "queue.A\t" + std::to_string(hello_) + "\t11\thello again\n" +  //
                          "topic B\t" + std::to_string(binary_) + "\t3\t\\x00\\x01\\xff\n" +
                          "topic B\t" + std::to_string(slash_) + "\t10\tback\\\\slash\n");

  const CliResult js = RunCli({"dump", "--json", store_arg()});
  ASSERT_EQ(js.exit_status, 0) << js.err;
  const json records = json::parse(js.out);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[1], json({{"connection", "topic B"}, {"handle", binary_}, {"size", 3}, {"data_base64", "AAH/"}}));
  EXPECT_EQ(records[0].at("data_base64"), "aGVsbG8gYWdhaW4=");

  const CliResult log = RunCli({"dump", "--log", store_arg()});
  ASSERT_EQ(log.exit_status, 0) << log.err;
  std::map<std::string, int> types;
  for (const std::string& line : Lines(log.out)) {
    const auto f = SplitTabs(line);
    ASSERT_EQ(f.size(), 8u) << line;
    ++types[f[2]];
  }
  EXPECT_EQ(types["create"], 4);
  EXPECT_EQ(types["update"], 1);
  EXPECT_EQ(types["remove"], 1);
  const CliResult log_json = RunCli({"dump", "--log", "--json", store_arg()});
  ASSERT_EQ(log_json.exit_status, 0) << log_json.err;
  EXPECT_EQ(json::parse(log_json.out).size(), Lines(log.out).size());
}

TEST_F(CliStore, VerifiesAHealthyStore) {
  MakeSmallStore();
  const CliResult r = RunCli({"verify", store_arg()});
  ASSERT_EQ(r.exit_status, 0) << r.err;
  EXPECT_EQ(Lines(r.out).size(), 1u) << r.out;
  EXPECT_NE(r.out.find("orders@ms1: clean: 3 records"), std::string::npos) << r.out;
  const CliResult js = RunCli({"verify", "--json", store_arg()});
  ASSERT_EQ(js.exit_status, 0) << js.err;
  EXPECT_EQ(json::parse(js.out).at("clean"), true);
}

TEST_F(CliStore, ReadOnlyVerbsChangeNothing) {
  MakeSmallStore();
  const DirectorySnapshot before = SnapshotDirectory(dir_.path());
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"list", dir_.path()}, {"list", "--json", dir_.path()}, {"list", store_arg()}, {"dump", store_arg()},
           {"dump", "--json", store_arg()}, {"dump", "--log", store_arg()}, {"verify", store_arg()},
           {"verify", "--json", store_arg()}}) {
    EXPECT_EQ(RunCli(args).exit_status, 0) << ::testing::PrintToString(args);
  }
  EXPECT_EQ(SnapshotDirectory(dir_.path()), before);
}

TEST_F(CliStore, VerifyFindsAFlippedByteInAnOlderSegment) {
  MakeSegmentedStore();
  const FileStoreInspection clean = Inspect();
  ASSERT_GE(clean.segments.size(), 3u);
  const std::string first = clean.segments[0].name;
  const std::string path = dir_.path() + "/" + first;
  // A byte inside the first record past the middle of the segment (not in block padding).
  uint64_t target = 0;
  ASSERT_TRUE(InspectFileStore(dir_.path(), "orders@ms1", nullptr, [&](const StoredRecord& r) {
                if (r.segment == first && target == 0 && r.offset >= clean.segments[0].log_bytes / 2) {
                  target = r.offset + 100;
                }
              }).ok());
  ASSERT_NE(target, 0u);
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(target));
    char c = 0;
    f.read(&c, 1);
    c = static_cast<char>(c ^ 0x10);
    f.seekp(static_cast<std::streamoff>(target));
    f.write(&c, 1);
  }
  const CliResult r = RunCli({"verify", store_arg()});
  EXPECT_EQ(r.exit_status, 1) << r.out << r.err;
  EXPECT_EQ(r.out.rfind("damage: " + path + " at offset ", 0), 0u) << r.out;
  const CliResult js = RunCli({"verify", "--json", store_arg()});
  EXPECT_EQ(js.exit_status, 1);
  const json j = json::parse(js.out);
  EXPECT_EQ(j.at("clean"), false);
  EXPECT_EQ(j.at("damage").at("path"), path);
  EXPECT_EQ(RunCli({"list", store_arg()}).exit_status, 1);
  const CliResult dump = RunCli({"dump", store_arg()});
  EXPECT_EQ(dump.exit_status, 1);
  EXPECT_NE(dump.err.find(first), std::string::npos) << dump.err;
}

TEST_F(CliStore, TornTailIsANoteAndRepairCutsIt) {
  MakeSmallStore();
  const SegmentSummary head = Inspect().segments.back();
  {  // garbage where the next batch would go (the file may hold pre-written zeros beyond it)
    std::fstream f(dir_.path() + "/" + head.name, std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(static_cast<std::streamoff>(head.log_bytes));
    f << std::string(100, '\xab');
  }
  const CliResult torn = RunCli({"verify", store_arg()});
  EXPECT_EQ(torn.exit_status, 0) << torn.out << torn.err;
  EXPECT_NE(torn.out.find("note: torn tail of "), std::string::npos) << torn.out;

  const CliResult repair = RunCli({"repair", store_arg()});
  EXPECT_EQ(repair.exit_status, 0) << repair.err;
  EXPECT_NE(repair.out.find("truncated"), std::string::npos) << repair.out;
  const CliResult after = RunCli({"verify", store_arg()});
  EXPECT_EQ(after.exit_status, 0) << after.err;
  EXPECT_EQ(after.out.find("note:"), std::string::npos) << after.out;
}

TEST_F(CliStore, WritingVerbsAreRefusedWhileTheStoreIsHeld) {
  MakeSegmentedStore();
  auto held = Open("the cli test's holder");
  ASSERT_TRUE(held);
  for (const char* verb : {"compact", "repair"}) {
    const CliResult r = RunCli({verb, store_arg()});
    EXPECT_EQ(r.exit_status, 1) << verb;
    EXPECT_EQ(r.err.rfind(std::string("hastore ") + verb + ": ", 0), 0u) << r.err;
    EXPECT_NE(r.err.find("the cli test's holder"), std::string::npos) << r.err;
  }
  ASSERT_TRUE(held->Close().ok());
  held.reset();

  const CliResult compact = RunCli({"compact", "--force", store_arg()});
  EXPECT_EQ(compact.exit_status, 0) << compact.err;
  EXPECT_EQ(compact.out.find("segments removed: 0\n"), std::string::npos) << "--force removed nothing: " << compact.out;
  EXPECT_NE(compact.out.find("segments removed: "), std::string::npos) << compact.out;
  EXPECT_NE(compact.out.find("before: records 48"), std::string::npos) << compact.out;
  EXPECT_NE(compact.out.find("after: records 48"), std::string::npos) << compact.out;
  EXPECT_EQ(RunCli({"verify", store_arg()}).exit_status, 0);
}

TEST_F(CliStore, NamesAStoreByConfigOrRefusesTheLocator) {
  MakeSmallStore();
  const std::string toml = dir_.path() + "/orders.toml";
  std::ofstream(toml) << "[store]\nname = \"orders\"\nserver = \"ms1\"\ndistribution = \"distributed\"\n"
                      << "[file]\ndirectory = \"" << dir_.path() << "\"\n";
  const CliResult by_config = RunCli({"verify", "--config", toml});
  EXPECT_EQ(by_config.exit_status, 0) << by_config.err;
  EXPECT_NE(by_config.out.find("orders@ms1: clean"), std::string::npos) << by_config.out;

  const CliResult jdbc = RunCli({"verify", "jdbc:orders@ms1"});
  EXPECT_EQ(jdbc.exit_status, 2);
  EXPECT_NE(jdbc.err.find("jdbc: store has no Instance="), std::string::npos) << jdbc.err;
  const CliResult replicated = RunCli({"verify", "replicated:orders@ms1"});
  EXPECT_EQ(replicated.exit_status, 2);
  EXPECT_NE(replicated.err.find("replicated: store 'orders@ms1' is not DAEMONS/INSTANCE"), std::string::npos)
      << replicated.err;
  const CliResult tape = RunCli({"verify", "tape:" + store_arg()});
  EXPECT_EQ(tape.exit_status, 2);
  EXPECT_NE(tape.err.find("store kind 'tape' is not available (available: file, jdbc, replicated)"), std::string::npos)
      << tape.err;
  EXPECT_EQ(RunCli({"verify"}).exit_status, 2);
  EXPECT_EQ(RunCli({"verify", store_arg(), "--config", toml}).exit_status, 2);

  const DirectorySnapshot before = SnapshotDirectory(dir_.path());
  const CliResult missing = RunCli({"compact", dir_.path() + "/nothere"});
  EXPECT_EQ(missing.exit_status, 1);
  EXPECT_NE(missing.err.find("no segment files of instance nothere"), std::string::npos) << missing.err;
  EXPECT_EQ(SnapshotDirectory(dir_.path()), before);
}

}  // namespace
}  // namespace hastore::testing
