// Agents in one process, on the local authority with short leases: placement, takeover after an
// agent loses its authority, orderly shutdown per policy, restart in place then migration.
// (Agents as separate processes, killed and paused, are in the agent process tests.)
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <set>
#include <thread>

#include "ha/agent_harness.h"
#include "hastore/filestore/file_store.h"

namespace hastore::ha {
namespace {

using namespace std::chrono_literals;

class AgentTest : public InProcessCluster {
 protected:
  ClusterConfig Config(MigrationPolicy policy) {
    ClusterConfig c = ShortLeaseCluster("t");
    ClusterStore s = FileStore("q");
    s.policy.migration = policy;
    s.policy.restart.restart_in_place = policy != MigrationPolicy::kOff;
    s.policy.restart.seconds_between_restarts = 0;
    s.policy.restart.number_of_restart_attempts = 2;
    s.policy.initial_boot_delay_seconds = 0;
    s.policy.partial_cluster_stability_delay_seconds = 0;
    c.stores.push_back(s);
    return c;
  }
};

TEST_F(AgentTest, EachDistributedInstanceRunsOnItsOwnServer) {
  const ClusterConfig c = Config(MigrationPolicy::kOnFailure);
  for (const char* s : {"ms1", "ms2", "ms3"}) StartServer(c, s);
  EXPECT_TRUE(Eventually([&] {
    return Active("ms1") == std::set<std::string>{"q@ms1"} && Active("ms2") == std::set<std::string>{"q@ms2"} &&
           Active("ms3") == std::set<std::string>{"q@ms3"};
  })) << "ms1 " << Active("ms1").size() << ", ms2 " << Active("ms2").size() << ", ms3 " << Active("ms3").size();
  int masters = 0;
  for (auto& [n, s] : servers_) masters += s->agent->is_master();
  EXPECT_EQ(masters, 1);
}

TEST_F(AgentTest, AServerCutOffFromTheAuthorityFencesItselfAndItsInstanceMoves) {
  const ClusterConfig c = Config(MigrationPolicy::kOnFailure);
  for (const char* s : {"ms1", "ms2", "ms3"}) StartServer(c, s);
  ASSERT_TRUE(Eventually([&] { return Active("ms1").count("q@ms1") && Active("ms2").count("q@ms2") && Active("ms3").count("q@ms3"); }));
  servers_["ms2"]->authority->Sever();
  EXPECT_TRUE(Eventually([&] { return Active("ms2").empty(); })) << "ms2 did not stop its instance";
  EXPECT_GE(servers_["ms2"]->agent->self_fences(), 1u);
  EXPECT_TRUE(Eventually([&] { return Active("ms1").count("q@ms2") + Active("ms3").count("q@ms2") == 1; }))
      << "q@ms2 was not taken over";
  // Back on the network, ms2 rejoins; failback (-1: at once) brings q@ms2 home.
  servers_["ms2"]->authority->Heal();
  EXPECT_TRUE(Eventually([&] { return Active("ms2") == std::set<std::string>{"q@ms2"}; }));
  EXPECT_TRUE(Eventually([&] { return !Active("ms1").count("q@ms2") && !Active("ms3").count("q@ms2"); }));
}

TEST_F(AgentTest, AnOrderlyShutdownMovesInstancesOnlyUnderAlways) {
  for (MigrationPolicy policy : {MigrationPolicy::kOnFailure, MigrationPolicy::kAlways}) {
    SCOPED_TRACE(std::string(ToString(policy)));
    TearDown();
    servers_.clear();
    ClusterConfig c = Config(policy);
    c.stores[0].store.name = policy == MigrationPolicy::kAlways ? "always" : "onfailure";
    c.name = c.stores[0].store.name;
    c.leasing.directory = dir_.path() + "/leases-" + c.name;
    const std::string i3 = c.stores[0].store.name + "@ms3";
    for (const char* s : {"ms1", "ms2", "ms3"}) StartServer(c, s);
    ASSERT_TRUE(Eventually([&] { return Active("ms3").count(i3) == 1; }));
    ASSERT_TRUE(servers_["ms3"]->agent->Shutdown().ok());
    const auto elsewhere = [&] { return Active("ms1").count(i3) + Active("ms2").count(i3); };
    if (policy == MigrationPolicy::kAlways) {
      EXPECT_TRUE(Eventually([&] { return elsewhere() == 1; }));
    } else {
      std::this_thread::sleep_for(1500ms);  // several leases: it would have moved by now
      EXPECT_EQ(elsewhere(), 0u);
    }
  }
}

TEST_F(AgentTest, AFailingInstanceIsRestartedInPlaceThenMoved) {
  const ClusterConfig c = Config(MigrationPolicy::kOnFailure);
  std::atomic<int> ms1_attempts{0};
  // q@ms1 will not open on ms1; everything else opens normally.
  auto opener_for = [&](const std::string& server) -> StoreOpener {
    return [&, server](const StoreConfig& config, const Ownership& ownership) -> Result<std::unique_ptr<Store>> {
      if (server == "ms1" && config.instance() == "q@ms1") {
        ++ms1_attempts;
        return Status::IOError("test: the disk of " + config.instance() + " is gone on ms1");
      }
      return OpenFileStore(config, ownership);
    };
  };
  for (const char* s : {"ms1", "ms2", "ms3"}) StartServer(c, s, opener_for(s));
  EXPECT_TRUE(Eventually([&] { return Active("ms2").count("q@ms1") + Active("ms3").count("q@ms1") == 1; }))
      << "attempts on ms1: " << ms1_attempts.load();
  // Restart attempts 2: the first try and two restarts in place, then it moved.
  EXPECT_EQ(ms1_attempts.load(), 3);
}

}  // namespace
}  // namespace hastore::ha
