// `hastore status` and `hastore migrate` against a live cluster: agents run in this process on
// the local authority of a configuration file, and the real `hastore` binary reads and moves
// them from outside, as an operator would.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "ha/agent_harness.h"
#include "tools/cli_harness.h"

namespace hastore::ha {
namespace {

using hastore::testing::CliResult;
using hastore::testing::RunCli;
using Json = nlohmann::json;

class ClusterCli : public InProcessCluster {
 protected:
  // ms1..ms3 with short leases; q distributed; jms on migratable target mt1 (ms1, then ms2).
  void SetUp() override {
    path_ = dir_.path() + "/cluster.toml";
    std::ofstream(path_) << "[cluster]\nname = \"cli\"\nservers = [\"ms1\", \"ms2\", \"ms3\"]\n"
                         << "[leasing]\nbasis = \"local\"\ndirectory = \"" << dir_.path() << "/leases\"\n"
                         << "health_check_interval = 100\nhealth_check_periods_until_fencing = 4\nfencing_grace_period = 0\n"
                         << "[stores.q]\nkind = \"file\"\ndistribution = \"distributed\"\nmigration_policy = \"on-failure\"\n"
                         << "initial_boot_delay_seconds = 0\npartial_cluster_stability_delay_seconds = 0\n"
                         << "[stores.q.file]\ndirectory = \"" << dir_.path() << "/shared\"\n"
                         << "[stores.jms]\nkind = \"file\"\ntarget = \"mt1\"\n"
                         << "[stores.jms.file]\ndirectory = \"" << dir_.path() << "/shared\"\n"
                         << "[migratable_targets.mt1]\nuser_preferred_server = \"ms1\"\ncandidate_servers = [\"ms1\", \"ms2\"]\n";
    Result<ClusterConfig> config = LoadClusterConfig(path_);
    ASSERT_TRUE(config.ok()) << config.status().ToString();
    config_ = std::move(*config);
    for (const char* s : {"ms1", "ms2"}) StartServer(config_, s);
    ASSERT_TRUE(Eventually([&] {
      return Active("ms1").count("jms") + Active("ms1").count("q@ms1") + Active("ms2").count("q@ms2") == 3;
    }));
  }

  Json StatusJson() {
    const CliResult r = RunCli({"status", "--config", path_, "--json"});
    EXPECT_EQ(r.exit_status, 0) << r.err;
    return Json::parse(r.out);
  }
  static const Json& Named(const Json& list, const std::string& key, const std::string& name) {
    for (const Json& item : list) {
      if (item[key] == name) return item;
    }
    static const Json none;
    ADD_FAILURE() << name << " not listed";
    return none;
  }
  uint64_t EpochOn(const std::string& server, const std::string& instance) {
    for (const LocalInstance& i : servers_[server]->agent->Instances()) {
      if (i.instance == instance) return i.epoch;
    }
    return 0;
  }

  std::string path_;
  ClusterConfig config_;
};

TEST_F(ClusterCli, StatusShowsServersLeasesOwnersAndEpochs) {
  const Json doc = StatusJson();
  EXPECT_EQ(doc["cluster"], "cli");
  const Json& ms1 = Named(doc["servers"], "name", "ms1");
  EXPECT_EQ(ms1["state"], "up");
  EXPECT_EQ(ms1["lease"]["server"], "ms1");
  EXPECT_GT(ms1["lease"]["remaining_ms"].get<int64_t>(), 0);
  EXPECT_EQ(Named(doc["servers"], "name", "ms3")["state"], "not started");
  EXPECT_TRUE(doc["master"]["server"] == "ms1" || doc["master"]["server"] == "ms2") << doc["master"];

  const Json& q1 = Named(doc["instances"], "instance", "q@ms1");
  EXPECT_EQ(q1["owner"], "ms1");
  EXPECT_EQ(q1["state"], "active");
  EXPECT_EQ(q1["epoch"].get<uint64_t>(), EpochOn("ms1", "q@ms1"));
  const Json& jms = Named(doc["instances"], "instance", "jms");
  EXPECT_EQ(jms["owner"], "ms1");
  EXPECT_EQ(jms["epoch"].get<uint64_t>(), EpochOn("ms1", "jms"));
  EXPECT_EQ(jms["plan"]["reason"], "preferred server");
  EXPECT_TRUE(jms["last_migration"].is_null());

  const CliResult text = RunCli({"status", "--config", path_});
  ASSERT_EQ(text.exit_status, 0) << text.err;
  EXPECT_NE(text.out.find("  q@ms1  active on ms1  epoch " + std::to_string(EpochOn("ms1", "q@ms1"))), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("  ms3  not started"), std::string::npos) << text.out;
}

TEST_F(ClusterCli, MigrateMovesATargetAndStatusShowsTheMigration) {
  // Asked again while ms2 is "not up": a 400 ms test lease can lapse for a moment under load.
  CliResult r;
  Eventually([&] {
    r = RunCli({"migrate", "--config", path_, "mt1", "--to", "ms2", "--wait", "20"});
    return r.exit_status != 2 || r.err.find("is not up") == std::string::npos;
  });
  ASSERT_EQ(r.exit_status, 0) << r.err << r.out;
  EXPECT_NE(r.out.find("requested: jms from ms1 to ms2"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("jms is active on ms2"), std::string::npos) << r.out;
  EXPECT_EQ(Active("ms2").count("jms"), 1u);

  const Json jms = Named(StatusJson()["instances"], "instance", "jms");
  EXPECT_EQ(jms["owner"], "ms2");
  EXPECT_EQ(jms["epoch"].get<uint64_t>(), EpochOn("ms2", "jms"));
  EXPECT_EQ(jms["last_migration"]["from"], "ms1");
  EXPECT_EQ(jms["last_migration"]["to"], "ms2");
  EXPECT_EQ(jms["last_migration"]["state"], "succeeded");
  EXPECT_GE(jms["last_migration"]["finished_ms"], jms["last_migration"]["requested_ms"]);

  const CliResult text = RunCli({"status", "--config", path_});
  EXPECT_NE(text.out.find("last migration: ms1 -> ms2 succeeded"), std::string::npos) << text.out;
}

TEST_F(ClusterCli, MigrateRefusesWhatCannotBeDoneWithExitStatusTwo) {
  const struct {
    std::vector<std::string> args;
    std::string error;
  } refused[] = {
      {{"q@ms1", "--to", "ms3"}, "server 'ms3' is not up"},
      {{"nosuch", "--to", "ms2"}, "'nosuch' is neither an instance nor a migratable target of cluster cli"},
      {{"jms", "--to", "ms3"}, "server 'ms3' is not a candidate server of migratable target mt1"},
  };
  for (const auto& r : refused) {
    std::vector<std::string> args = {"migrate", "--config", path_};
    args.insert(args.end(), r.args.begin(), r.args.end());
    const CliResult result = RunCli(args);
    EXPECT_EQ(result.exit_status, 2) << result.out;
    EXPECT_NE(result.err.find("hastore migrate: " + r.error), std::string::npos) << result.err;
  }
  EXPECT_TRUE(Named(StatusJson()["instances"], "instance", "q@ms1")["last_migration"].is_null());
}

}  // namespace
}  // namespace hastore::ha
