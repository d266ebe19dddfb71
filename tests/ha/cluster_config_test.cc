// The cluster configuration: every default of DESIGN §8, the instances it defines, and errors
// that name their key.
#include <gtest/gtest.h>

#include "hastore/ha/cluster_config.h"

namespace hastore::ha {
namespace {

constexpr char kMinimal[] = R"(
[cluster]
name = "c1"
servers = ["ms1", "ms2"]
[leasing]
directory = "/var/lib/hastore/leases"
[stores.orders.file]
directory = "/shared/orders"
[stores.orders]
kind = "file"
)";

ClusterConfig MustParse(const std::string& text) {
  Result<ClusterConfig> c = ParseClusterConfig(text, "test.toml");
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? *c : ClusterConfig{};
}

std::string ErrorOf(const std::string& text) {
  Result<ClusterConfig> c = ParseClusterConfig(text, "test.toml");
  EXPECT_FALSE(c.ok()) << "accepted:\n" << text;
  return c.ok() ? "" : c.status().message();
}

TEST(ClusterConfig, EveryDefaultIsTheReferenceSystems) {
  const ClusterConfig c = MustParse(kMinimal);
  EXPECT_EQ(c.domain, "hastore");
  EXPECT_EQ(c.on_lease_lost, OnLeaseLost::kStop);
  EXPECT_EQ(c.leasing.basis, LeasingBasis::kLocal);
  EXPECT_EQ(c.leasing.table, "ACTIVE");
  EXPECT_EQ(c.leasing.table_creation, TableCreation::kDisabled);
  EXPECT_EQ(c.leasing.health_check_interval_ms, 10000u);
  EXPECT_EQ(c.leasing.health_check_periods_until_fencing, 6u);
  EXPECT_EQ(c.leasing.fencing_grace_period_ms, 30000u);
  EXPECT_EQ(c.leasing.lease_ttl_ms(), 60000u);
  ASSERT_EQ(c.stores.size(), 1u);
  const ClusterStore& s = c.stores[0];
  EXPECT_EQ(s.store.name, "orders");
  EXPECT_EQ(s.target_kind, TargetKind::kCluster);
  EXPECT_EQ(s.store.distribution, Distribution::kDistributed);
  EXPECT_EQ(s.policy.migration, MigrationPolicy::kOff);
  EXPECT_FALSE(s.policy.restart.restart_in_place);  // false when the policy is off
  EXPECT_EQ(s.policy.restart.seconds_between_restarts, 30);
  EXPECT_EQ(s.policy.restart.number_of_restart_attempts, 6);
  EXPECT_EQ(s.policy.initial_boot_delay_seconds, 60);
  EXPECT_EQ(s.policy.failback_delay_seconds, -1);
  EXPECT_EQ(s.policy.partial_cluster_stability_delay_seconds, 240);
  EXPECT_EQ(s.policy.fail_over_limit, -1);
}

TEST(ClusterConfig, RestartInPlaceDefaultsToTrueUnlessTheMigrationPolicyIsOff) {
  for (const char* policy : {"on-failure", "always", "On-Failure"}) {
    const ClusterConfig c = MustParse(std::string(kMinimal) + "migration_policy = \"" + policy + "\"\n");
    ASSERT_EQ(c.stores.size(), 1u);
    EXPECT_TRUE(c.stores[0].policy.restart.restart_in_place) << policy;
  }
  const ClusterConfig c = MustParse(std::string(kMinimal) + "migration_policy = \"always\"\nrestart_in_place = false\n");
  EXPECT_FALSE(c.stores[0].policy.restart.restart_in_place);
}

TEST(ClusterConfig, MigratableTargetsTakeTheReferenceDefaults) {
  const ClusterConfig c = MustParse(std::string(kMinimal) + R"(
target = "mt1"
[migratable_targets.mt1]
user_preferred_server = "ms2"
)");
  ASSERT_EQ(c.migratable_targets.size(), 1u);
  const MigratableTarget& m = c.migratable_targets[0];
  EXPECT_EQ(m.policy, TargetPolicy::kManual);
  EXPECT_FALSE(m.restart_on_failure);
  EXPECT_TRUE(m.post_script_failure_is_fatal);
  EXPECT_FALSE(m.non_local_post_allowed);
  EXPECT_EQ(m.restart.seconds_between_restarts, 30);
  EXPECT_EQ(m.restart.number_of_restart_attempts, 6);
  EXPECT_EQ(c.stores[0].target_kind, TargetKind::kMigratableTarget);
  const std::vector<InstanceSpec> instances = Instances(c);
  ASSERT_EQ(instances.size(), 1u);
  EXPECT_EQ(instances[0].instance, "orders");
  EXPECT_EQ(instances[0].preferred_server, "ms2");
  EXPECT_EQ(instances[0].candidates, (std::vector<std::string>{"ms2", "ms1"}));
}

// Every key of the header's example, set to something other than its default, reaches its
// field: a parser that dropped one would leave the default, and this test would see it.
TEST(ClusterConfig, EveryKeySetToANonDefaultValueIsRead) {
  const ClusterConfig c = MustParse(R"(
[cluster]
name = "c2"
domain = "prod"
servers = ["ms1", "ms2", "ms3"]
on_lease_lost = "exit"
[leasing]
basis = "database"
connection = "Driver=PostgreSQL Unicode;Server=db"
table = "HA_LEASES"
auto_migration_table_creation_policy = "always"
health_check_interval = 2500
health_check_periods_until_fencing = 4
fencing_grace_period = 7000
[stores.orders]
kind = "file"
target = "cluster"
distribution = "singleton"
migration_policy = "always"
restart_in_place = false
seconds_between_restarts = 11
number_of_restart_attempts = -1
initial_boot_delay_seconds = 12
failback_delay_seconds = 13
partial_cluster_stability_delay_seconds = 14
fail_over_limit = 2
[stores.orders.file]
directory = "/shared/orders"
[stores.ledger]
kind = "file"
target = "mt1"
[stores.ledger.file]
directory = "/shared/ledger"
[stores.audit]
kind = "file"
target = "mt2"
[stores.audit.file]
directory = "/shared/audit"
[migratable_targets.mt1]
user_preferred_server = "ms3"
candidate_servers = ["ms3", "ms1"]
migration_policy = "exactly-once"
restart_on_failure = true
seconds_between_restarts = 21
number_of_restart_attempts = 0
pre_script = "/opt/hastore/pre.sh"
post_script = "/opt/hastore/post.sh"
post_script_failure_is_fatal = false
non_local_post_allowed = true
[migratable_targets.mt2]
user_preferred_server = "ms2"
migration_policy = "failure-recovery"
)");
  EXPECT_EQ(c.name, "c2");
  EXPECT_EQ(c.domain, "prod");
  EXPECT_EQ(c.on_lease_lost, OnLeaseLost::kExit);
  EXPECT_EQ(c.leasing.basis, LeasingBasis::kDatabase);
  EXPECT_EQ(c.leasing.connection, "Driver=PostgreSQL Unicode;Server=db");
  EXPECT_EQ(c.leasing.table, "HA_LEASES");
  EXPECT_EQ(c.leasing.table_creation, TableCreation::kAlways);
  EXPECT_EQ(c.leasing.health_check_interval_ms, 2500u);
  EXPECT_EQ(c.leasing.health_check_periods_until_fencing, 4u);
  EXPECT_EQ(c.leasing.fencing_grace_period_ms, 7000u);
  EXPECT_EQ(c.leasing.lease_ttl_ms(), 10000u);

  ASSERT_EQ(c.stores.size(), 3u);
  const ClusterStore* orders = nullptr;
  for (const ClusterStore& s : c.stores) {
    if (s.store.name == "orders") orders = &s;
  }
  ASSERT_NE(orders, nullptr);
  EXPECT_EQ(orders->target_kind, TargetKind::kCluster);
  EXPECT_EQ(orders->store.distribution, Distribution::kSingleton);
  EXPECT_EQ(orders->policy.migration, MigrationPolicy::kAlways);
  EXPECT_FALSE(orders->policy.restart.restart_in_place);
  EXPECT_EQ(orders->policy.restart.seconds_between_restarts, 11);
  EXPECT_EQ(orders->policy.restart.number_of_restart_attempts, -1);
  EXPECT_EQ(orders->policy.initial_boot_delay_seconds, 12);
  EXPECT_EQ(orders->policy.failback_delay_seconds, 13);
  EXPECT_EQ(orders->policy.partial_cluster_stability_delay_seconds, 14);
  EXPECT_EQ(orders->policy.fail_over_limit, 2);

  ASSERT_EQ(c.migratable_targets.size(), 2u);
  const MigratableTarget& mt1 = c.migratable_targets[0].name == "mt1" ? c.migratable_targets[0] : c.migratable_targets[1];
  const MigratableTarget& mt2 = c.migratable_targets[0].name == "mt1" ? c.migratable_targets[1] : c.migratable_targets[0];
  EXPECT_EQ(mt1.user_preferred_server, "ms3");
  EXPECT_EQ(mt1.candidate_servers, (std::vector<std::string>{"ms3", "ms1"}));
  EXPECT_EQ(mt1.policy, TargetPolicy::kExactlyOnce);
  EXPECT_TRUE(mt1.restart_on_failure);
  EXPECT_EQ(mt1.restart.seconds_between_restarts, 21);
  EXPECT_EQ(mt1.restart.number_of_restart_attempts, 0);
  EXPECT_EQ(mt1.pre_script, "/opt/hastore/pre.sh");
  EXPECT_EQ(mt1.post_script, "/opt/hastore/post.sh");
  EXPECT_FALSE(mt1.post_script_failure_is_fatal);
  EXPECT_TRUE(mt1.non_local_post_allowed);
  EXPECT_EQ(mt2.name, "mt2");
  EXPECT_EQ(mt2.policy, TargetPolicy::kFailureRecovery);
}

TEST(ClusterConfig, InstancesFollowTheNamingRulesForEveryKindOfCluster) {
  const ClusterConfig c = MustParse(R"(
[cluster]
name = "c1"
servers = ["ms1"]
server_name_template = "dyn-${ID}"
size = 2
[leasing]
basis = "database"
connection = "Driver=SQLite3;Database=/tmp/x.db"
[stores.q]
kind = "file"
[stores.q.file]
directory = "/d"
[stores.ledger]
kind = "jdbc"
distribution = "singleton"
migration_policy = "always"
prefix = "hq"
[stores.ledger.jdbc]
directory = "/d"
[stores.local]
kind = "file"
target = "dyn-2"
[stores.local.file]
directory = "/d"
)");
  EXPECT_EQ(c.Servers(), (std::vector<std::string>{"ms1", "dyn-1", "dyn-2"}));
  std::vector<std::string> names;
  for (const InstanceSpec& spec : Instances(c)) names.push_back(spec.instance + " " + spec.preferred_server);
  EXPECT_EQ(names, (std::vector<std::string>{"ledger-01 ms1", "local dyn-2", "q@dyn-1 dyn-1", "q@dyn-2 dyn-2",
                                             "q@ms1 ms1"}));
  for (const InstanceSpec& spec : Instances(c)) {
    if (spec.instance == "ledger-01") {
      EXPECT_EQ(spec.config.table(), "hq_01_WLStore");
    } else if (spec.instance == "q@dyn-1") {
      EXPECT_EQ(spec.candidates, (std::vector<std::string>{"dyn-1", "ms1", "dyn-2"}));
    } else if (spec.instance == "local") {
      EXPECT_EQ(spec.candidates, (std::vector<std::string>{"dyn-2"}));
    }
  }
}

TEST(ClusterConfig, ErrorsNameTheirKey) {
  const std::string base(kMinimal);
  const struct {
    std::string text;
    std::string key;
    std::string says = "";  // more of the message, where the key alone does not tell the error apart
  } cases[] = {
      {base + "bogus = 1\n", "stores.orders.bogus"},
      {base + "fail_over_limit = -2\n", "stores.orders.fail_over_limit"},
      {base + "number_of_restart_attempts = \"6\"\n", "stores.orders.number_of_restart_attempts"},
      {base + "migration_policy = \"sometimes\"\n", "stores.orders.migration_policy"},
      {base + "target = \"nowhere\"\n", "stores.orders.target"},
      {base + "distribution = \"none\"\n", "stores.orders.distribution"},
      {base + "distribution = \"singleton\"\n", "stores.orders.migration_policy"},
      {base + "[stores.j]\nkind = \"jdbc\"\n[stores.j.jdbc]\ndirectory = \"/d\"\nworker_count = 100\n", "stores.j.jdbc.worker_count"},
      {base + "max_record_size = 1099511627776\n", "stores.orders.max_record_size"},
      {base + "[stores.orders.file]\nio_engine = \"x\"\n", "stores.orders.file"},  // TOML: table defined twice
      {base + "[leasing.x]\n", "leasing.x"},
      {std::string(kMinimal).replace(std::string(kMinimal).find("[leasing]\n") + 10, 0, "health_check_interval = 0\n"),
       "leasing.health_check_interval"},
      {std::string(kMinimal).replace(std::string(kMinimal).find("[leasing]\n") + 10, 0, "basis = \"database\"\n"),
       "leasing.connection"},
      {std::string(kMinimal).replace(std::string(kMinimal).find("servers"), 7, "size = 2\nservers"),
       "cluster.server_name_template"},
      {std::string(kMinimal).replace(std::string(kMinimal).find("\"ms2\""), 5, "\"MS1\""), "cluster.servers"},
      {base + "target = \"mt\"\n[migratable_targets.mt]\nuser_preferred_server = \"ms9\"\n",
       "migratable_targets.mt.user_preferred_server"},
      {base + "target = \"mt\"\n[migratable_targets.mt]\nuser_preferred_server = \"ms1\"\ncandidate_servers = [\"ms2\"]\n",
       "migratable_targets.mt.candidate_servers"},
      {base + "[stores.twin]\nkind = \"file\"\n[stores.twin.file]\ndirectory = \"/shared/orders\"\n[stores.Orders]\n"
              "kind = \"file\"\n[stores.Orders.file]\ndirectory = \"/shared/orders\"\n",
       "stores.orders", "would share its files"},
      // Two singleton JDBC stores on one embedded database, no prefix: both tables are S_01_WLStore.
      {base + "[stores.a]\nkind = \"jdbc\"\ndistribution = \"singleton\"\nmigration_policy = \"on-failure\"\n"
              "[stores.a.jdbc]\ndirectory = \"/shared/jdbc\"\n"
              "[stores.b]\nkind = \"jdbc\"\ndistribution = \"singleton\"\nmigration_policy = \"on-failure\"\n"
              "[stores.b.jdbc]\ndirectory = \"/shared/jdbc\"\n",
       "stores.b", "would share its table S_01_WLStore"},
      {base + "[unknown]\n", "[unknown]"},
  };
  for (const auto& c : cases) {
    const std::string error = ErrorOf(c.text);
    EXPECT_NE(error.find(c.key), std::string::npos) << "expected the key " << c.key << " in: " << error;
    EXPECT_NE(error.find("test.toml"), std::string::npos) << error;
    if (!c.says.empty()) {
      EXPECT_NE(error.find(c.says), std::string::npos) << "expected '" << c.says << "' in: " << error;
    }
  }
}

}  // namespace
}  // namespace hastore::ha
