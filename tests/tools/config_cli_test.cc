// `hastore config check`: the shipped example is valid and lists its instances with their names;
// a bad file is refused with the key named and exit status 2.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "tools/cli_harness.h"

namespace hastore::testing {
namespace {

TEST(ConfigCheckCli, TheShippedExampleListsEveryInstanceWithItsNames) {
  const CliResult r = RunCli({"config", "check", HASTORE_SOURCE_DIR "/examples/cluster.toml"});
  ASSERT_EQ(r.exit_status, 0) << r.err;
  EXPECT_NE(r.out.find("queue@ms2  file  cluster, distributed, migration on-failure  preferred ms2"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("QUEUE@MS2000000.DAT"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("table S_01_WLStore"), std::string::npos) << r.out;

  const CliResult j = RunCli({"config", "check", "--json", HASTORE_SOURCE_DIR "/examples/cluster.toml"});
  ASSERT_EQ(j.exit_status, 0) << j.err;
  const nlohmann::json doc = nlohmann::json::parse(j.out);
  EXPECT_EQ(doc["servers"], nlohmann::json({"ms1", "ms2", "ms3"}));
  ASSERT_EQ(doc["instances"].size(), 4u);
  EXPECT_EQ(doc["instances"][0]["instance"], "ledger-01");
  EXPECT_EQ(doc["instances"][0]["preferred_server"], "ms1");
  EXPECT_EQ(doc["leasing"]["lease_ms"], 1000);
}

TEST(ConfigCheckCli, AReplicatedStoreListsItsRegionsAndDaemonsNotATable) {
  TempDir dir;
  const std::string path = dir.path() + "/replicated.toml";
  std::ofstream(path) << "[cluster]\nname = \"c\"\nservers = [\"ms1\"]\n[leasing]\ndirectory = \"/l\"\n"
                         "[stores.journal]\nkind = \"replicated\"\ndistribution = \"singleton\"\nmigration_policy = \"always\"\n"
                         "[stores.journal.replicated]\ndaemons = \"/etc/rsd.toml\"\n";
  const CliResult r = RunCli({"config", "check", path});
  ASSERT_EQ(r.exit_status, 0) << r.err;
  EXPECT_NE(r.out.find("regions JOURNAL-01000000.RGN on the daemons of /etc/rsd.toml"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("table"), std::string::npos) << r.out;
}

TEST(ConfigCheckCli, ABadFileIsRefusedNamingTheKey) {
  TempDir dir;
  const std::string path = dir.path() + "/bad.toml";
  std::ofstream(path) << "[cluster]\nname = \"c\"\nservers = [\"a\"]\n[leasing]\ndirectory = \"/l\"\n"
                         "[stores.s]\nkind = \"file\"\nfail_over_limit = -7\n";
  const CliResult r = RunCli({"config", "check", path});
  EXPECT_EQ(r.exit_status, 2);
  EXPECT_NE(r.err.find("stores.s.fail_over_limit"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

}  // namespace
}  // namespace hastore::testing
