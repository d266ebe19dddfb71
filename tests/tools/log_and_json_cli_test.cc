// What the `hastore` command writes where: every --json verb's stdout is one JSON document a
// parser accepts whole (the library's log lines used to land on stdout, before the JSON, through
// spdlog's default logger), log lines go to stderr dated and leveled, and --log-level and
// HASTORE_LOG_LEVEL decide how many there are.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "hastore/filestore/file_store.h"
#include "tools/cli_harness.h"

namespace hastore::testing {
namespace {

using nlohmann::json;

// A log line of the library's logger (log.h): "2026-12-07 04:31:02.123 info hastore: ...".
bool IsLogLine(const std::string& line) {
  static const std::regex kLine(R"(^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} (trace|debug|info|warning|error|critical) hastore: .+)");
  return std::regex_match(line, kLine);
}

class LogAndJsonCli : public ::testing::Test {
 protected:
  void SetUp() override {
    store_dir_ = dir_.path() + "/store";
    StoreConfig config;
    config.name = "orders";
    config.file.directory = store_dir_;
    auto store = OpenFileStore(config, Ownership{0, "test"});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto conn = (*store)->OpenConnection("queue");
    ASSERT_TRUE(conn.ok());
    Transaction txn = (*store)->Begin();
    ASSERT_TRUE(txn.Create(*conn, "hello").ok());
    ASSERT_TRUE((*store)->Commit(std::move(txn)).ok());
    ASSERT_TRUE((*store)->Close().ok());

    cluster_ = dir_.path() + "/cluster.toml";
    std::ofstream(cluster_) << "[cluster]\nname = \"c\"\nservers = [\"ms1\", \"ms2\"]\n"
                            << "[leasing]\nbasis = \"local\"\ndirectory = \"" << dir_.path() << "/leases\"\n"
                            << "[stores.q]\nkind = \"file\"\ndistribution = \"distributed\"\n"
                            << "[stores.q.file]\ndirectory = \"" << dir_.path() << "/shared\"\n";
  }

  std::string store_arg() const { return "file:" + store_dir_ + "/orders"; }

  TempDir dir_;
  std::string store_dir_;
  std::string cluster_;
};

TEST_F(LogAndJsonCli, EveryJsonVerbPrintsOneDocumentAParserAcceptsWhole) {
  const std::vector<std::vector<std::string>> calls = {
      {"names", "--json", "--store", "orders"},
      {"list", "--json", store_dir_},
      {"list", "--json", store_arg()},
      {"dump", "--json", store_arg()},
      {"dump", "--log", "--json", store_arg()},
      {"verify", "--json", store_arg()},
      {"config", "check", "--json", cluster_},
      // status --json needs a cluster that ran: cluster_cli_test parses it on a live one.
      // The bench opens file stores, whose open logs the I/O engine it chose: on stdout, before
      // the JSON, until the library had a logger of its own.
      {"bench", "--json", "--kinds", "file", "--policies", "Disabled", "--writers", "1", "--sizes", "64",
       "--seconds", "0.05", "--dir", dir_.path() + "/bench"},
  };
  for (const auto& args : calls) {
    const CliResult r = RunCli(args);
    std::string call;
    for (const std::string& a : args) call += a + " ";
    EXPECT_EQ(r.exit_status, 0) << call << r.err;
    EXPECT_TRUE(json::accept(r.out)) << call << "printed what no JSON parser accepts:\n" << r.out;
  }
}

TEST_F(LogAndJsonCli, TheLibrarysLinesGoToStderrDatedAndLeveled) {
  // bench opens its stores with the library, which logs the I/O engine at info.
  const std::vector<std::string> bench = {"bench", "--json", "--kinds", "file", "--policies", "Disabled", "--writers",
                                          "1", "--sizes", "64", "--seconds", "0.05", "--dir", dir_.path() + "/b"};
  std::vector<std::string> args = bench;
  args.insert(args.begin(), {"--log-level", "info"});
  const CliResult r = RunCli(args);
  ASSERT_EQ(r.exit_status, 0) << r.err;
  ASSERT_TRUE(json::accept(r.out)) << r.out;
  bool engine_line = false;
  for (const std::string& line : Lines(r.err)) {
    if (line.find("I/O engine") == std::string::npos) continue;
    engine_line = true;
    EXPECT_TRUE(IsLogLine(line)) << "not dated, leveled and named: " << line;
  }
  EXPECT_TRUE(engine_line) << "no I/O engine line on stderr:\n" << r.err;

  // --log-level after the verb, as well as before it.
  args = bench;
  args.insert(args.end(), {"--log-level", "off"});
  const CliResult quiet = RunCli(args);
  ASSERT_EQ(quiet.exit_status, 0) << quiet.err;
  EXPECT_EQ(quiet.err.find("I/O engine"), std::string::npos) << quiet.err;
}

TEST_F(LogAndJsonCli, HastoreLogLevelFromTheEnvironment) {
  const std::vector<std::string> args = {"bench", "--json", "--kinds", "file", "--policies", "Disabled", "--writers", "1",
                                         "--sizes", "64", "--seconds", "0.05", "--dir", dir_.path() + "/b"};
  ASSERT_EQ(::setenv("HASTORE_LOG_LEVEL", "error", 1), 0);
  const CliResult quiet = RunCli(args);
  ASSERT_EQ(::setenv("HASTORE_LOG_LEVEL", "info", 1), 0);
  const CliResult loud = RunCli(args);
  ::unsetenv("HASTORE_LOG_LEVEL");
  ASSERT_EQ(quiet.exit_status, 0) << quiet.err;
  ASSERT_EQ(loud.exit_status, 0) << loud.err;
  EXPECT_EQ(quiet.err.find("I/O engine"), std::string::npos) << quiet.err;
  EXPECT_NE(loud.err.find("I/O engine"), std::string::npos) << loud.err;
}

TEST_F(LogAndJsonCli, AnUnknownLogLevelIsAUsageError) {
  const CliResult r = RunCli({"--log-level", "loud", "names", "--store", "orders"});
  EXPECT_EQ(r.exit_status, 2);
  EXPECT_EQ(Lines(r.err).size(), 1u) << r.err;
  EXPECT_NE(r.err.find("loud"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

}  // namespace
}  // namespace hastore::testing
