// The instances a cluster configuration defines, read back from their names (OrphanInstance,
// InstanceOfLease), and the one restart policy of each kind of target (RestartOf).
#include <gtest/gtest.h>

#include "hastore/ha/cluster_config.h"
#include "hastore/ha/lease_authority.h"

namespace hastore::ha {
namespace {

constexpr char kConfig[] = R"(
[cluster]
name = "c1"
servers = ["ms1", "ms2"]
[leasing]
directory = "/var/lib/hastore/leases"
[stores.q]
kind = "file"
migration_policy = "on-failure"
seconds_between_restarts = 5
number_of_restart_attempts = 3
[stores.q.file]
directory = "/shared"
[stores.led]
kind = "file"
distribution = "singleton"
migration_policy = "always"
[stores.led.file]
directory = "/shared"
[stores.pinned]
kind = "file"
target = "ms2"
[stores.pinned.file]
directory = "/shared"
[stores.jms]
kind = "file"
target = "mt1"
[stores.jms.file]
directory = "/shared"
[migratable_targets.mt1]
user_preferred_server = "ms1"
restart_on_failure = false
seconds_between_restarts = 7
number_of_restart_attempts = 2
)";

ClusterConfig Parsed() {
  Result<ClusterConfig> c = ParseClusterConfig(kConfig, "test.toml");
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? *c : ClusterConfig{};
}

const ClusterStore& StoreNamed(const ClusterConfig& c, const std::string& name) {
  for (const ClusterStore& s : c.stores) {
    if (s.store.name == name) return s;
  }
  ADD_FAILURE() << "no store " << name;
  return c.stores.front();
}

TEST(Instances, AnInstanceOfAServerThatLeftMapsBackToItsClusterStore) {
  const ClusterConfig c = Parsed();
  std::optional<InstanceSpec> gone = OrphanInstance(c, "q@ms9");
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->instance, "q@ms9");
  EXPECT_EQ(gone->store->store.name, "q");
  EXPECT_EQ(gone->preferred_server, "ms9");
  EXPECT_EQ(gone->candidates, (std::vector<std::string>{"ms1", "ms2"}));
  EXPECT_EQ(gone->config.server, "ms9");

  std::optional<InstanceSpec> singleton = OrphanInstance(c, "led-01");
  ASSERT_TRUE(singleton);
  EXPECT_EQ(singleton->store->store.name, "led");

  for (const char* name : {"nosuch@ms1", "q-01", "led@ms1", "pinned", "jms", "q", "q@"}) {
    EXPECT_FALSE(OrphanInstance(c, name)) << name;
  }
  // FindInstance answers the configuration's own instances first, with their own candidates.
  std::optional<InstanceSpec> own = FindInstance(c, "q@ms2");
  ASSERT_TRUE(own);
  EXPECT_EQ(own->candidates, (std::vector<std::string>{"ms2", "ms1"}));
  EXPECT_TRUE(FindInstance(c, "q@ms9"));
}

TEST(Instances, EachKindOfTargetHasOneRestartPolicy) {
  const ClusterConfig c = Parsed();
  const RestartPolicy cluster = RestartOf(c, StoreNamed(c, "q"));
  EXPECT_TRUE(cluster.restart_in_place);
  EXPECT_EQ(cluster.seconds_between_restarts, 5);
  EXPECT_EQ(cluster.number_of_restart_attempts, 3);

  const RestartPolicy server = RestartOf(c, StoreNamed(c, "pinned"));  // no policy of its own
  EXPECT_TRUE(server.restart_in_place);
  EXPECT_EQ(server.seconds_between_restarts, RestartPolicy{}.seconds_between_restarts);
  EXPECT_EQ(server.number_of_restart_attempts, RestartPolicy{}.number_of_restart_attempts);

  const RestartPolicy target = RestartOf(c, StoreNamed(c, "jms"));
  EXPECT_FALSE(target.restart_in_place);  // restart_on_failure = false
  EXPECT_EQ(target.seconds_between_restarts, 7);
  EXPECT_EQ(target.number_of_restart_attempts, 2);
  ClusterConfig restarting = c;
  restarting.migratable_targets[0].restart_on_failure = true;
  EXPECT_TRUE(RestartOf(restarting, StoreNamed(restarting, "jms")).restart_in_place);
}

TEST(Instances, AnInstanceLeaseNameReadsBackToItsInstance) {
  EXPECT_EQ(InstanceOfLease(InstanceLeaseName("q@ms1")), "q@ms1");
  EXPECT_EQ(InstanceOfLease(InstanceLeaseName("led-01")), "led-01");
  EXPECT_FALSE(InstanceOfLease(ServerLeaseName("ms1")));
  EXPECT_FALSE(InstanceOfLease(kMasterLeaseName));
  EXPECT_FALSE(InstanceOfLease("instance"));
}

TEST(Instances, ValidateRefusesAStoreWhoseTargetKindIsNotWhatItsTargetNames) {
  const ClusterConfig c = Parsed();
  EXPECT_TRUE(Validate(c).ok()) << Validate(c).ToString();
  ClusterConfig wrong = c;
  for (ClusterStore& s : wrong.stores) {
    if (s.store.name == "pinned") s.target_kind = TargetKind::kCluster;  // its target is server ms2
  }
  const Status s = Validate(wrong);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "stores.pinned.target: 'ms2' names a server, but the store's target kind says the cluster");
  wrong = c;
  for (ClusterStore& store : wrong.stores) {
    if (store.store.name == "q") store.target_kind = TargetKind::kMigratableTarget;
  }
  EXPECT_NE(Validate(wrong).message().find("stores.q.target: 'cluster' names the cluster"), std::string::npos)
      << Validate(wrong).ToString();
}

}  // namespace
}  // namespace hastore::ha
