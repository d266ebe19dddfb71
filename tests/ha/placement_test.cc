// The placement planner (placement.h): one table of cases, each a small cluster, what the master
// sees, and the exact plan expected for every instance; then the properties of every plan.
#include "hastore/ha/placement.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <ostream>
#include <string>
#include <vector>

namespace hastore::ha {
namespace {

constexpr int64_t kStart = 1'000'000;           // the cluster came up
constexpr int64_t kLater = kStart + 3'600'000;  // every delay long past

template <class T, class F>
T With(T value, F&& change) {
  change(value);
  return value;
}

// A cluster policy without start-up delays, so a case sees only the rule it is about.
ClusterPolicy Policy(MigrationPolicy m) {
  ClusterPolicy p;
  p.migration = m;
  p.restart.restart_in_place = m != MigrationPolicy::kOff;
  p.initial_boot_delay_seconds = 0;
  p.partial_cluster_stability_delay_seconds = 0;
  return p;
}
const ClusterPolicy kOff = Policy(MigrationPolicy::kOff);
const ClusterPolicy kOnFailure = Policy(MigrationPolicy::kOnFailure);
const ClusterPolicy kAlways = Policy(MigrationPolicy::kAlways);

ClusterStore Store(const std::string& name, Distribution d, const ClusterPolicy& policy, TargetKind kind = TargetKind::kCluster,
                   const std::string& target = "cluster") {
  ClusterStore s;
  s.store.name = name;
  s.store.distribution = d;
  s.target_kind = kind;
  s.target = target;
  s.policy = policy;
  return s;
}
ClusterStore Distributed(const std::string& name, const ClusterPolicy& p) { return Store(name, Distribution::kDistributed, p); }
ClusterStore Singleton(const std::string& name, const ClusterPolicy& p) { return Store(name, Distribution::kSingleton, p); }
ClusterStore OnServer(const std::string& name, const std::string& server) {
  return Store(name, Distribution::kNone, ClusterPolicy{}, TargetKind::kServer, server);
}
ClusterStore OnTarget(const std::string& name, const std::string& target) {
  return Store(name, Distribution::kNone, ClusterPolicy{}, TargetKind::kMigratableTarget, target);
}

ClusterConfig Cluster(std::vector<std::string> servers, std::vector<ClusterStore> stores,
                      std::vector<MigratableTarget> targets = {}) {
  ClusterConfig c;
  c.name = "cluster1";
  c.configured_servers = std::move(servers);
  c.stores = std::move(stores);
  c.migratable_targets = std::move(targets);
  return c;
}
ClusterConfig Dynamic(uint32_t size, std::vector<ClusterStore> stores) {
  ClusterConfig c = Cluster({}, std::move(stores));
  c.server_name_template = "dyn-${ID}";
  c.dynamic_size = size;
  return c;
}
const std::vector<std::string> kThree = {"ms1", "ms2", "ms3"};

// Migratable target mt1: prefers ms1, then ms3, then ms2 (not name order, on purpose).
MigratableTarget Target(TargetPolicy policy, std::vector<std::string> candidates = {"ms1", "ms3", "ms2"}) {
  MigratableTarget t;
  t.name = "mt1";
  t.user_preferred_server = "ms1";
  t.candidate_servers = std::move(candidates);
  t.policy = policy;
  return t;
}
ClusterConfig TargetCluster(const MigratableTarget& t) { return Cluster(kThree, {OnTarget("jms", "mt1")}, {t}); }

ServerState Up(const std::string& name, int64_t since = kStart) { return {name, true, since, false}; }
ServerState Crashed(const std::string& name) { return {name, false, -1, false}; }
ServerState ShutDown(const std::string& name) { return {name, false, -1, true}; }

ClusterView View(std::vector<ServerState> servers, std::vector<InstanceState> instances = {}, int64_t now = kLater) {
  return {now, kStart, std::move(servers), std::move(instances)};
}
std::vector<ServerState> AllUp(const std::vector<std::string>& names = kThree) {
  std::vector<ServerState> out;
  for (const std::string& n : names) out.push_back(Up(n));
  return out;
}
// Three servers, `down` replaced by its state.
std::vector<ServerState> Three(const ServerState& down) {
  std::vector<ServerState> out = AllUp();
  for (ServerState& s : out) {
    if (s.name == down.name) s = down;
  }
  return out;
}

InstanceState Known(const std::string& instance) {
  InstanceState s;
  s.instance = instance;
  return s;
}
InstanceState RunningOn(const std::string& instance, const std::string& owner) {
  InstanceState s = Known(instance);
  s.owner = s.last_server = owner;
  return s;
}
InstanceState LastOn(const std::string& instance, const std::string& server) {
  InstanceState s = Known(instance);
  s.last_server = server;
  return s;
}
InstanceState Failed(const std::string& instance, const std::string& on, uint32_t failures, int64_t at,
                     std::vector<std::string> given_up_on = {}) {
  InstanceState s = Known(instance);
  s.last_server = s.failed_on = on;
  s.failures = failures;
  s.last_failure_ms = at;
  s.given_up_on = std::move(given_up_on);
  return s;
}
InstanceState Pinned(const std::string& instance, const std::string& server) {
  InstanceState s = Known(instance);
  s.pinned_server = server;
  return s;
}
InstanceState MigrationFailed(InstanceState s) {
  s.failed_migration = "pre script 'false' of mt1 on ms2 failed with exit status 1";
  return s;
}

struct Expect {
  std::string server = "";
  int64_t not_before_ms = 0;
  std::string reason = "";  // a part of the reason; required when `server` is "" (not placed)
};

struct Case {
  std::string name;
  ClusterConfig config;
  ClusterView view;
  std::map<std::string, Expect> plan;  // every instance
};

// o@ms1..o@ms3 each on its own server.
std::map<std::string, Expect> Home(std::map<std::string, Expect> changed) {
  std::map<std::string, Expect> plan = {{"o@ms1", {"ms1"}}, {"o@ms2", {"ms2"}}, {"o@ms3", {"ms3"}}};
  for (auto& [instance, e] : changed) plan[instance] = e;
  return plan;
}

ClusterPolicy Restarts(ClusterPolicy p, int64_t attempts, int64_t seconds = 30) {
  p.restart.number_of_restart_attempts = attempts;
  p.restart.seconds_between_restarts = seconds;
  return p;
}
ClusterPolicy Delays(ClusterPolicy p, int64_t boot, int64_t partial) {
  p.initial_boot_delay_seconds = boot;
  p.partial_cluster_stability_delay_seconds = partial;
  return p;
}
ClusterPolicy Failback(ClusterPolicy p, int64_t seconds) {
  p.failback_delay_seconds = seconds;
  return p;
}
ClusterPolicy Limit(ClusterPolicy p, int64_t limit) {
  p.fail_over_limit = limit;
  return p;
}

std::vector<Case> Cases() {
  const int64_t t = kLater - 5'000;  // a recent failure
  return {
      // ---- distribution ----
      {"DistributedEachOnItsServer", Cluster(kThree, {Distributed("o", kAlways)}), View(AllUp()),
       Home({{"o@ms1", {"ms1", 0, "preferred server"}}})},
      {"SingletonOnFirstServer", Cluster(kThree, {Singleton("jobs", kAlways)}), View(AllUp()), {{"jobs-01", {"ms1"}}}},
      {"SingletonOffFirstServerCrashed", Cluster(kThree, {Singleton("jobs", kOff)}), View(Three(Crashed("ms1"))),
       {{"jobs-01", {"", 0, "preferred server ms1 crashed and the policy is off"}}}},
      {"SingletonOnFailureFirstServerCrashed", Cluster(kThree, {Singleton("jobs", kOnFailure)}),
       View(Three(Crashed("ms1"))), {{"jobs-01", {"ms2", 0, "failed over from ms1 (crashed)"}}}},
      {"ServerTargetOnlyItsServer", Cluster(kThree, {OnServer("local", "ms2")}), View(AllUp()), {{"local", {"ms2"}}}},
      {"ServerTargetNeverMoves", Cluster(kThree, {OnServer("local", "ms2")}), View(Three(Crashed("ms2"))),
       {{"local", {"", 0, "preferred server ms2 crashed and the policy is server target"}}}},

      // ---- migration policy, crash and shutdown ----
      {"OffCrashNotPlaced", Cluster(kThree, {Distributed("o", kOff)}), View(Three(Crashed("ms1"))),
       Home({{"o@ms1", {"", 0, "policy is off"}}})},
      {"OnFailureCrashMoves", Cluster(kThree, {Distributed("o", kOnFailure)}), View(Three(Crashed("ms1"))),
       Home({{"o@ms1", {"ms2", 0, "failed over from ms1 (crashed)"}}})},
      {"OnFailureShutdownStays", Cluster(kThree, {Distributed("o", kOnFailure)}), View(Three(ShutDown("ms1"))),
       Home({{"o@ms1", {"", 0, "not placed: preferred server ms1 is shut down and the policy is on-failure"}}})},
      {"AlwaysShutdownMoves", Cluster(kThree, {Distributed("o", kAlways)}), View(Three(ShutDown("ms1"))),
       Home({{"o@ms1", {"ms2", 0, "failed over from ms1 (shut down)"}}})},
      // Moved like a crashed server's, and said to be not up rather than crashed.
      {"ServerNeverSeenIsNotUpAndItsInstancesMove", Cluster(kThree, {Distributed("o", kOnFailure)}),
       View({Up("ms1"), Up("ms2")}), Home({{"o@ms3", {"ms1", 0, "failed over from ms3 (not up)"}}})},
      // On-Failure judges the server it ran on: its fail-over host was shut down.
      {"OnFailureHostShutDownAfterFailOver", Cluster(kThree, {Distributed("o", kOnFailure)}),
       View({Crashed("ms1"), ShutDown("ms2"), Up("ms3")}, {LastOn("o@ms1", "ms2")}),
       {{"o@ms1", {"", 0, "server ms2 is shut down"}},
        {"o@ms2", {"", 0, "preferred server ms2 is shut down and the policy is on-failure"}},
        {"o@ms3", {"ms3"}}}},
      {"BalanceFewestAssigned", Cluster(kThree, {Distributed("a", kAlways), Distributed("b", kAlways)}),
       View(Three(Crashed("ms1"))),
       {{"a@ms1", {"ms2"}}, {"a@ms2", {"ms2"}}, {"a@ms3", {"ms3"}}, {"b@ms1", {"ms3"}}, {"b@ms2", {"ms2"}},
        {"b@ms3", {"ms3"}}}},

      // ---- restart in place ----
      {"RestartAttemptsZeroMovesAtOnce", Cluster(kThree, {Distributed("o", Restarts(kOnFailure, 0))}),
       View(AllUp(), {Failed("o@ms1", "ms1", 1, t)}), Home({{"o@ms1", {"ms2", 0, "failed over from ms1 (failed there)"}}})},
      {"RestartWithinAttempts", Cluster(kThree, {Distributed("o", Restarts(kOnFailure, 3, 30))}),
       View(AllUp(), {Failed("o@ms1", "ms1", 2, t)}), Home({{"o@ms1", {"ms1", t + 30'000, "restart 2 of 3 on ms1"}}})},
      {"RestartLastAttempt", Cluster(kThree, {Distributed("o", Restarts(kOnFailure, 3, 10))}),
       View(AllUp(), {Failed("o@ms1", "ms1", 3, t)}), Home({{"o@ms1", {"ms1", t + 10'000}}})},
      {"RestartsExhaustedMoveAvoidingGivenUp", Cluster(kThree, {Distributed("o", Restarts(kOnFailure, 3))}),
       View(AllUp(), {Failed("o@ms1", "ms1", 4, t, {"ms2"})}), Home({{"o@ms1", {"ms3"}}})},
      {"RestartsExhaustedEverywhereNotPlaced", Cluster(kThree, {Distributed("o", Restarts(kOnFailure, 3))}),
       View(AllUp(), {Failed("o@ms1", "ms1", 4, t, {"ms2", "ms3"})}),
       Home({{"o@ms1", {"", 0, "it failed on preferred server ms1 and no other candidate server is available"}}})},
      {"RestartForever", Cluster(kThree, {Distributed("o", Restarts(kOnFailure, -1, 5))}),
       View(AllUp(), {Failed("o@ms1", "ms1", 1000, t)}), Home({{"o@ms1", {"ms1", t + 5'000, "(no limit)"}}})},
      {"RestartInPlaceOffNeverRestarts", Cluster(kThree, {Distributed("o", kOff)}),
       View(AllUp(), {Failed("o@ms1", "ms1", 1, t)}), Home({{"o@ms1", {"", 0, "it failed on preferred server ms1"}}})},
      {"RestartOnFailOverHost", Cluster(kThree, {Distributed("o", Restarts(kOnFailure, 6, 30))}),
       View(Three(Crashed("ms1")), {Failed("o@ms1", "ms3", 1, t)}), Home({{"o@ms1", {"ms3", t + 30'000, "restart 1 of 6 on ms3"}}})},

      // ---- initial boot delay ----
      {"InitialBootDelayWaits", Cluster(kThree, {Distributed("o", Delays(kOnFailure, 60, 0))}),
       View(Three(Crashed("ms1")), {}, kStart + 48'000),
       Home({{"o@ms1", {"", 0, "waiting for initial boot delay (12 s left)"}}})},
      {"InitialBootDelayOver", Cluster(kThree, {Distributed("o", Delays(kOnFailure, 60, 0))}),
       View(Three(Crashed("ms1")), {}, kStart + 60'000), Home({{"o@ms1", {"ms2"}}})},
      {"InitialBootDelayNotForPreferredUp", Cluster(kThree, {Distributed("o", Delays(Restarts(kOnFailure, 0), 60, 0))}),
       View(AllUp(), {Failed("o@ms1", "ms1", 1, kStart)}, kStart + 1'000), Home({{"o@ms1", {"ms2"}}})},

      // ---- partial cluster stability delay ----
      {"PartialClusterWaits", Cluster(kThree, {Distributed("o", Delays(kOnFailure, 0, 240))}),
       View(Three(Crashed("ms3")), {}, kStart + 100'000),
       Home({{"o@ms3", {"", 0, "waiting for partial cluster stability delay (140 s left, 2 of 3 servers up)"}}})},
      {"PartialClusterDelayOver", Cluster(kThree, {Distributed("o", Delays(kOnFailure, 0, 240))}),
       View(Three(Crashed("ms3")), {}, kStart + 240'000), Home({{"o@ms3", {"ms1"}}})},
      {"PartialClusterRunningDoesNotWait", Cluster(kThree, {Distributed("o", Delays(kOnFailure, 0, 240))}),
       View(Three(Crashed("ms3")), {RunningOn("o@ms3", "ms2")}, kStart + 100'000), Home({{"o@ms3", {"ms2"}}})},
      {"FullClusterNoWait", Cluster(kThree, {Distributed("o", Delays(Restarts(kOnFailure, 0), 0, 240))}),
       View(AllUp(), {Failed("o@ms1", "ms1", 1, kStart)}, kStart + 10'000), Home({{"o@ms1", {"ms2"}}})},

      // ---- failback ----
      {"FailbackAtOnce", Cluster(kThree, {Distributed("o", Failback(kOnFailure, -1))}),
       View({Up("ms1", kLater - 1'000), Up("ms2"), Up("ms3")}, {RunningOn("o@ms1", "ms2")}),
       Home({{"o@ms1", {"ms1", 0, "failback to ms1"}}})},
      {"FailbackNever", Cluster(kThree, {Distributed("o", Failback(kOnFailure, 0))}),
       View(AllUp(), {RunningOn("o@ms1", "ms2")}), Home({{"o@ms1", {"ms2", 0, "stays on ms2"}}})},
      {"FailbackBeforeDelay", Cluster(kThree, {Distributed("o", Failback(kOnFailure, 30))}),
       View({Up("ms1", kLater - 10'000), Up("ms2"), Up("ms3")}, {RunningOn("o@ms1", "ms2")}),
       Home({{"o@ms1", {"ms2", 0, "failback to ms1 in 20 s"}}})},
      {"FailbackAfterDelay", Cluster(kThree, {Distributed("o", Failback(kOnFailure, 30))}),
       View({Up("ms1", kLater - 30'000), Up("ms2"), Up("ms3")}, {RunningOn("o@ms1", "ms2")}),
       Home({{"o@ms1", {"ms1"}}})},

      // ---- fail-over limit ----
      {"FailOverLimitZero", Cluster(kThree, {Distributed("o", Limit(kOnFailure, 0))}), View(Three(Crashed("ms1"))),
       Home({{"o@ms1", {"", 0, "not placed: fail-over limit 0 reached on every candidate"}}})},
      {"FailOverLimitOnePerStoreAndServer",
       Cluster(kThree, {Distributed("a", Limit(kOnFailure, 1)), Distributed("b", Limit(kOnFailure, 1))}),
       View({Crashed("ms1"), Crashed("ms2"), Up("ms3")}),
       {{"a@ms1", {"ms3"}}, {"a@ms2", {"", 0, "fail-over limit 1"}}, {"a@ms3", {"ms3"}}, {"b@ms1", {"ms3"}},
        {"b@ms2", {"", 0, "fail-over limit 1 reached on every candidate"}}, {"b@ms3", {"ms3"}}}},
      {"FailOverLimitUnlimited", Cluster(kThree, {Distributed("o", Limit(kOnFailure, -1))}),
       View({Crashed("ms1"), Crashed("ms2"), Up("ms3")}), {{"o@ms1", {"ms3"}}, {"o@ms2", {"ms3"}}, {"o@ms3", {"ms3"}}}},
      {"FailOverLimitCountsRunningInstances", Cluster(kThree, {Distributed("o", Limit(kOnFailure, 1))}),
       View({Crashed("ms1"), Crashed("ms2"), Up("ms3")}, {RunningOn("o@ms2", "ms3")}),
       {{"o@ms1", {"", 0, "fail-over limit 1 reached on every candidate"}}, {"o@ms2", {"ms3"}}, {"o@ms3", {"ms3"}}}},

      // ---- dynamic clusters and servers that leave ----
      {"DynamicGrowthPlacesNewServer", Dynamic(3, {Distributed("o", kOnFailure)}),
       View(AllUp({"dyn-1", "dyn-2", "dyn-3"}), {RunningOn("o@dyn-1", "dyn-1"), RunningOn("o@dyn-2", "dyn-2")}),
       {{"o@dyn-1", {"dyn-1"}}, {"o@dyn-2", {"dyn-2"}}, {"o@dyn-3", {"dyn-3"}}}},
      // dyn-3 was shut down, which would keep an On-Failure instance, but it left the cluster.
      {"DynamicScaleDownStillServed", Dynamic(2, {Distributed("o", kOnFailure)}),
       View({Up("dyn-1"), Up("dyn-2"), ShutDown("dyn-3")}, {LastOn("o@dyn-3", "dyn-3"), LastOn("gone@dyn-3", "dyn-3")}),
       {{"o@dyn-1", {"dyn-1"}},
        {"o@dyn-2", {"dyn-2"}},
        {"o@dyn-3", {"dyn-1", 0, "failed over from dyn-3 (no longer in the cluster)"}},
        {"gone@dyn-3", {"", 0, "no store of the configuration defines it"}}}},
      {"ScaleDownNoBootDelayForServerThatLeft", Dynamic(2, {Distributed("o", Delays(kOnFailure, 60, 240))}),
       View({Up("dyn-1"), Up("dyn-2")}, {LastOn("o@dyn-3", "dyn-3")}, kStart + 10'000),
       {{"o@dyn-1", {"dyn-1"}}, {"o@dyn-2", {"dyn-2"}}, {"o@dyn-3", {"dyn-1"}}}},
      {"ScaleDownOffNotPlaced", Dynamic(1, {Distributed("o", kOff)}),
       View({Up("dyn-1"), Up("dyn-2")}, {RunningOn("o@dyn-2", "dyn-2")}),
       {{"o@dyn-1", {"dyn-1"}}, {"o@dyn-2", {"", 0, "no longer in the cluster"}}}},
      {"RemovedServerStillUpItsInstanceMoves", Cluster({"ms1", "ms2"}, {Distributed("o", kOnFailure)}),
       View(AllUp(), {RunningOn("o@ms3", "ms3")}), {{"o@ms1", {"ms1"}}, {"o@ms2", {"ms2"}}, {"o@ms3", {"ms1"}}}},
      {"ServerNeverComesBackAfterBootDelay", Cluster(kThree, {Distributed("o", Delays(kOnFailure, 60, 240))}),
       View({Up("ms1"), Up("ms2")}, {}, kStart + 240'000), Home({{"o@ms3", {"ms1"}}})},

      // ---- migratable targets ----
      {"ManualOnUserPreferred", TargetCluster(Target(TargetPolicy::kManual)), View(AllUp()), {{"jms", {"ms1"}}}},
      {"ManualNeverMovesByItself", TargetCluster(Target(TargetPolicy::kManual)),
       View(Three(Crashed("ms1")), {LastOn("jms", "ms1")}), {{"jms", {"", 0, "the policy is manual"}}}},
      {"ManualPinnedIsItsNewHome", TargetCluster(Target(TargetPolicy::kManual)), View(AllUp(), {Pinned("jms", "ms2")}),
       {{"jms", {"ms2", 0, "pinned to ms2"}}}},
      {"ManualPinnedServerDownWaits", TargetCluster(Target(TargetPolicy::kManual)),
       View(Three(Crashed("ms2")), {Pinned("jms", "ms2")}), {{"jms", {"", 0, "server ms2 crashed and the policy is manual"}}}},
      {"ExactlyOnceCrashFirstCandidateInOrder", TargetCluster(Target(TargetPolicy::kExactlyOnce)),
       View(Three(Crashed("ms1")), {LastOn("jms", "ms1")}), {{"jms", {"ms3"}}}},
      {"ExactlyOnceShutdownMoves", TargetCluster(Target(TargetPolicy::kExactlyOnce)),
       View(Three(ShutDown("ms1")), {LastOn("jms", "ms1")}), {{"jms", {"ms3"}}}},
      {"ExactlyOnceNoCandidatesMeansEveryServer", TargetCluster(Target(TargetPolicy::kExactlyOnce, {})),
       View(Three(Crashed("ms1"))), {{"jms", {"ms2"}}}},
      {"ExactlyOnceStaysNoFailback", TargetCluster(Target(TargetPolicy::kExactlyOnce)),
       View(AllUp(), {RunningOn("jms", "ms2")}), {{"jms", {"ms2"}}}},
      {"FailureRecoveryStartsOnlyOnPreferred", TargetCluster(Target(TargetPolicy::kFailureRecovery)),
       View(Three(Crashed("ms1"))), {{"jms", {"", 0, "failure-recovery"}}}},
      {"FailureRecoveryCrashMoves", TargetCluster(Target(TargetPolicy::kFailureRecovery)),
       View(Three(Crashed("ms1")), {LastOn("jms", "ms1")}), {{"jms", {"ms3"}}}},
      {"FailureRecoveryShutdownStays", TargetCluster(Target(TargetPolicy::kFailureRecovery)),
       View(Three(ShutDown("ms1")), {LastOn("jms", "ms1")}),
       {{"jms", {"", 0, "preferred server ms1 is shut down and the policy is failure-recovery"}}}},
      {"TargetRestartOnFailure",
       TargetCluster(With(Target(TargetPolicy::kExactlyOnce),
                          [](MigratableTarget& mt) {
                            mt.restart_on_failure = true;
                            mt.restart.number_of_restart_attempts = 2;
                          })),
       View(AllUp(), {Failed("jms", "ms1", 2, t)}), {{"jms", {"ms1", t + 30'000, "restart 2 of 2 on ms1"}}}},
      {"TargetNoRestartOnFailureMoves", TargetCluster(Target(TargetPolicy::kExactlyOnce)),
       View(AllUp(), {Failed("jms", "ms1", 1, t)}), {{"jms", {"ms3", 0, "failed over from ms1 (failed there)"}}}},

      // ---- operators' pins and stickiness ----
      {"PinOverridesOffAndLimit", Cluster(kThree, {Distributed("o", Limit(kOff, 0))}),
       View(AllUp(), {Pinned("o@ms1", "ms3")}), Home({{"o@ms1", {"ms3"}}})},
      {"PinEndsWhenItsServerIsDown", Cluster(kThree, {Distributed("o", kOff)}),
       View(Three(Crashed("ms3")), {Pinned("o@ms1", "ms3")}), Home({{"o@ms1", {"ms1"}}, {"o@ms3", {"", 0, "preferred server ms3 crashed and the policy is off"}}})},
      {"FailedMigrationWaitsForAnOperator", TargetCluster(Target(TargetPolicy::kExactlyOnce)),
       View(AllUp(), {MigrationFailed(Pinned("jms", "ms2"))}), {{"jms", {"", 0, "its migration failed (pre script"}}}},
      {"FailedMigrationNeverStopsARunningInstance", Cluster(kThree, {Distributed("o", kOnFailure)}),
       View(AllUp(), {MigrationFailed(RunningOn("o@ms1", "ms1"))}), Home({})},
      {"RunningInstanceStaysDespiteLoad", Cluster(kThree, {Distributed("o", kOnFailure)}),
       View(Three(Crashed("ms1")), {RunningOn("o@ms1", "ms3")}), Home({{"o@ms1", {"ms3", 0, "stays on ms3"}}})},
      {"UnclaimedAssignmentKept", Cluster(kThree, {Distributed("o", kOnFailure)}),
       View(Three(Crashed("ms1")), {LastOn("o@ms1", "ms3")}), Home({{"o@ms1", {"ms3"}}})},
  };
}

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class PlanTest : public ::testing::TestWithParam<Case> {};

TEST_P(PlanTest, GivesTheExpectedServerToEveryInstance) {
  const Case& c = GetParam();
  const std::vector<Assignment> plan = Plan(c.config, c.view);
  std::map<std::string, Assignment> got;
  for (const Assignment& a : plan) got[a.instance] = a;
  EXPECT_EQ(got.size(), plan.size()) << "an instance is planned twice";
  EXPECT_EQ(got.size(), c.plan.size());
  for (const auto& [instance, want] : c.plan) {
    auto it = got.find(instance);
    if (it == got.end()) {
      ADD_FAILURE() << instance << " is not in the plan";
      continue;
    }
    const Assignment& a = it->second;
    // "" is found in any reason: a case that expects no server must say which reason.
    ASSERT_FALSE(want.server.empty() && want.reason.empty())
        << instance << ": a not-placed case needs a reason fragment (the planner says '" << a.reason << "')";
    EXPECT_EQ(a.server, want.server) << instance << ": " << a.reason;
    EXPECT_EQ(a.not_before_ms, want.not_before_ms) << instance << ": " << a.reason;
    EXPECT_FALSE(a.reason.empty()) << instance;
    EXPECT_NE(a.reason.find(want.reason), std::string::npos) << instance << ": '" << want.reason << "' not in '" << a.reason << "'";
  }
}

INSTANTIATE_TEST_SUITE_P(Rules, PlanTest, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

std::string Show(const std::vector<Assignment>& plan) {
  std::string out;
  for (const Assignment& a : plan)
    out += a.instance + " -> '" + a.server + "' " + std::to_string(a.not_before_ms) + " " + a.reason + "\n";
  return out;
}

TEST(PlanPropertiesTest, OneAssignmentPerInstanceInNameOrderAndDeterministic) {
  const ClusterConfig config = Cluster(kThree, {Distributed("z", kAlways), Singleton("a", kOnFailure), OnServer("m", "ms2")});
  ClusterView view = View({Crashed("ms1"), Up("ms2"), Up("ms3")},
                          {LastOn("z@old", "old"), RunningOn("z@ms1", "ms3"), LastOn("b@ms9", "ms9"), LastOn("a-01", "ms1")});
  const std::vector<Assignment> first = Plan(config, view);
  // z@old goes to ms3, the least loaded once a-01 joined m and z@ms2 on ms2.
  EXPECT_EQ(Show(first), "a-01 -> 'ms2' 0 failed over from ms1 (crashed)\n"
                         "b@ms9 -> '' 0 not placed: no store of the configuration defines it\n"
                         "m -> 'ms2' 0 preferred server\n"
                         "z@ms1 -> 'ms3' 0 stays on ms3\n"
                         "z@ms2 -> 'ms2' 0 preferred server\n"
                         "z@ms3 -> 'ms3' 0 preferred server\n"
                         "z@old -> 'ms3' 0 failed over from old (no longer in the cluster)\n");
  std::vector<std::string> names;
  for (const Assignment& a : first) names.push_back(a.instance);
  EXPECT_EQ(names, (std::vector<std::string>{"a-01", "b@ms9", "m", "z@ms1", "z@ms2", "z@ms3", "z@old"}));

  std::reverse(view.instances.begin(), view.instances.end());
  std::reverse(view.servers.begin(), view.servers.end());
  for (int round = 0; round < 3; ++round) EXPECT_EQ(Show(Plan(config, view)), Show(first));
}

TEST(PlanPropertiesTest, EmptyConfigurationAndViewGiveAnEmptyPlan) {
  EXPECT_TRUE(Plan(ClusterConfig{}, ClusterView{}).empty());
}

}  // namespace
}  // namespace hastore::ha
