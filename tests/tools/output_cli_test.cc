// What the command says and where: output that cannot be written is an error, numbers out of
// range are refused as typed, every --help gives the exit statuses, and the long verbs show
// progress on a terminal and nothing otherwise.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <tuple>

#include "cli_harness.h"
#include "common/temp_dir.h"
#include "hastore/filestore/file_store.h"

namespace hastore::testing {
namespace {

class OutputCli : public ::testing::Test {
 protected:
  // About 3 MiB in 1 MiB segments: what verify, repair, copy and compact have to go through.
  std::string MakeStore() {
    StoreConfig config;
    config.name = "orders";
    config.file.directory = dir_.path();
    config.file.max_file_size = 1 << 20;
    auto store = OpenFileStore(config, Ownership{0, "output test"}, FileStoreOptions{.background_compaction = false});
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    if (!store.ok()) return "";
    auto c = (*store)->OpenConnection("bulk");
    EXPECT_TRUE(c.ok());
    for (int i = 0; i < 48; ++i) {
      Transaction t = (*store)->Begin();
      EXPECT_TRUE(t.Create(*c, std::string(64 << 10, static_cast<char>('a' + i % 26))).ok());
      EXPECT_TRUE((*store)->Commit(std::move(t)).ok());
    }
    EXPECT_TRUE((*store)->Close().ok());
    return dir_.path() + "/orders";
  }

  TempDir dir_, copy_dir_;
};

TEST_F(OutputCli, OutputToAFullDeviceIsAnError) {
  const std::string store = MakeStore();
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"dump", store}, {"list", store}, {"list", dir_.path()}, {"verify", "--json", store},
           {"names", "--store", "orders"}, {"--help"}, {"verify", "--help"}}) {
    ASSERT_EQ(RunCli(args).exit_status, 0) << ::testing::PrintToString(args);
    const CliResult full = RunCli(args, StdoutTo("/dev/full"));
    EXPECT_EQ(full.exit_status, 1) << ::testing::PrintToString(args) << ": " << full.err;
    EXPECT_EQ(std::count(full.err.begin(), full.err.end(), '\n'), 1) << full.err;
    EXPECT_EQ(full.err.rfind("hastore", 0), 0u) << full.err;
    EXPECT_NE(full.err.find(": cannot write its output to stdout"), std::string::npos) << full.err;
  }
}

TEST_F(OutputCli, NumbersOutOfRangeAreRefusedAsTyped) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"bench", "--sizes", "-1"}, "'-1'"},
      {{"bench", "--sizes", "64,99999999999999999999999"}, "'99999999999999999999999'"},
      {{"bench", "--sizes", "18446744073709551616"}, "'18446744073709551616'"},
      {{"bench", "--sizes", "010x"}, "'010x'"},
      {{"bench", "--writers", "-4"}, "'-4'"},
      {{"bench", "--repeat", "4294967297"}, "'4294967297'"},
      {{"bench", "--jdbc-workers", "-1"}, "'-1'"},
      {{"bench", "--seconds", "nan"}, "'nan'"},
      {{"bench", "--seconds", "1e999"}, "'1e999'"},
      {{"bench", "reopen", "--size", "-1"}, "'-1'"},
      {{"bench", "churn", "--writers", "-1"}, "'-1'"},
      {{"bench", "churn", "--per-commit", "99999999999"}, "'99999999999'"},
      {{"demo", "--trials", "-1"}, "'-1'"},
      {{"demo", "--seconds", "-5"}, "'-5'"},
      {{"migrate", "--config", "x.toml", "jms", "--to", "ms2", "--wait", "1e300"}, "'1e300'"},
      {{"agent", "--config", "x.toml", "--server", "ms1", "--produce", "-1"}, "'-1'"},
      {{"rsd", "--config", "x.toml", "--index", "-1"}, "'-1'"},
      {{"rsd-admin", "shutdown", "--config", "x.toml", "--index", "99999999999"}, "'99999999999'"},
  };
  for (const auto& [args, quoted] : cases) {
    const CliResult r = RunCli(args);
    EXPECT_EQ(r.exit_status, 2) << ::testing::PrintToString(args) << ": " << r.err;
    EXPECT_NE(r.err.find(quoted), std::string::npos) << ::testing::PrintToString(args) << ": " << r.err;
    EXPECT_EQ(r.err.find("18446744073709551615 "), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
}

TEST_F(OutputCli, EveryHelpGivesTheExitStatuses) {
  const CliResult top = RunCli({"--help"});
  EXPECT_NE(top.out.find("Exit status: 0 done, 1 "), std::string::npos) << top.out;
  for (const char* verb : {"names", "list", "dump", "verify", "repair", "compact", "copy", "bench", "config", "agent",
                           "demo", "status", "migrate", "rsd", "rsd-admin"}) {
    const CliResult r = RunCli({verb, "--help"});
    EXPECT_EQ(r.exit_status, 0) << verb;
    EXPECT_NE(r.out.find("Exit status: 0 done, 1 "), std::string::npos) << verb << ":\n" << r.out;
  }
  const CliResult agent = RunCli({"agent", "--help"});
  EXPECT_NE(agent.out.find("Exit status 3: this server could not renew its leases"), std::string::npos) << agent.out;
}

// Progress is for people: a terminal gets "done of total" lines ending at all of it; a file
// gets nothing, as before.
TEST_F(OutputCli, ProgressOnATerminalOnly) {
  const std::string store = MakeStore();
  // compact ends at the segments it removed, of those there were
  const std::vector<std::tuple<std::vector<std::string>, std::string, std::string>> verbs = {
      {{"verify", store}, "hastore verify: ", "(100%)"},
      {{"repair", "--dry-run", store}, "hastore repair: ", "(100%)"},
      {{"repair", store}, "hastore repair: ", "(100%)"},
      {{"copy", store, copy_dir_.path() + "/sub/copy"}, "hastore copy: ", "48 of 48 records copied (100%)"},
      {{"compact", "--force", store}, "hastore compact: ", " segments compacted ("},
  };
  for (const auto& [args, prefix, end] : verbs) {
    const CliResult piped = RunCli(args);
    EXPECT_EQ(piped.exit_status, 0) << ::testing::PrintToString(args) << piped.err;
    // Not a terminal: no progress (stderr still has the library's log lines).
    EXPECT_EQ(piped.err.find(prefix), std::string::npos) << ::testing::PrintToString(args) << piped.err;
    EXPECT_EQ(piped.err.find('\r'), std::string::npos) << ::testing::PrintToString(args) << piped.err;
    std::filesystem::remove_all(copy_dir_.path() + "/sub");

    const CliResult shown = RunCli(args, StderrOnATerminal());
    EXPECT_EQ(shown.exit_status, 0) << ::testing::PrintToString(args) << shown.err;
    EXPECT_NE(shown.err.find("\r" + prefix), std::string::npos) << ::testing::PrintToString(args) << shown.err;
    EXPECT_NE(shown.err.find(" of "), std::string::npos) << shown.err;
    EXPECT_NE(shown.err.find(end), std::string::npos) << ::testing::PrintToString(args) << shown.err;
    EXPECT_EQ(shown.out.find(prefix), std::string::npos) << "progress went to stdout: " << shown.out;
    EXPECT_EQ(shown.out.find('\r'), std::string::npos) << "progress went to stdout: " << shown.out;
    std::filesystem::remove_all(copy_dir_.path() + "/sub");
  }
  const CliResult shown = RunCli({"verify", store}, StderrOnATerminal());
  EXPECT_NE(shown.err.find("\rhastore verify: 0 B of "), std::string::npos) << shown.err;
  EXPECT_NE(shown.err.find(" MiB (100%)"), std::string::npos) << shown.err;
}

}  // namespace
}  // namespace hastore::testing
