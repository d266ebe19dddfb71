// Multi-process fault tests (DESIGN §8): real `hastore agent` processes with producers on the
// example queue, on each lease authority (local LMDB; the database authority on SQLite and on
// PostgreSQL), killed, paused, restarted and scaled, and afterwards every acknowledged message
// looked for in the stores. The lease database going away is agent_lease_outage_test.cc.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <set>
#include <thread>

#include "agent_process_fixture.h"
#include "hastore/ha/cluster_status.h"

namespace hastore::testing {
namespace {

using namespace std::chrono_literals;
using tools::JournalLine;

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

class AgentFault : public ::testing::TestWithParam<Authority> {
 protected:
  AgentFault() : c_(GetParam()) {}

  // The epoch `server` last activated `instance` under, from its journal (0: never).
  uint64_t EpochOn(const std::vector<JournalLine>& lines, const std::string& server, const std::string& instance) {
    uint64_t epoch = 0;
    for (const JournalLine& j : lines) {
      if (j.kind == 'U' && j.server == server && j.instance == instance) epoch = j.epoch;
    }
    return epoch;
  }

  AgentProcessCluster c_;
};

// kill -9 of the server that holds the singletons (a JDBC and a replicated store): its instances take commits on the others
// within a lease and the grace (plus 2 s for the master to plan and the stores to open), under
// higher epochs, and every acknowledged message survives.
TEST_P(AgentFault, AKilledOwnersInstancesAreActiveElsewhereWithEveryAcknowledgedMessage) {
  ASSERT_NO_FATAL_FAILURE(c_.Configure("servers = [\"ms1\", \"ms2\", \"ms3\"]",
                                       StoreToml("queue", "file", kDistributed) + StoreToml("ledger", "jdbc", kSingleton) +
                                           StoreToml("journal", "replicated", kSingleton)));
  for (const char* s : {"ms1", "ms2", "ms3"}) c_.Start(s);
  ASSERT_TRUE(c_.ActiveWithCommits({{"queue@ms1", "ms1"},
                                    {"queue@ms2", "ms2"},
                                    {"queue@ms3", "ms3"},
                                    {"ledger-01", "ms1"},
                                    {"journal-01", "ms1"}}))
      << c_.Logs();
  const std::vector<JournalLine> before = c_.Journals();

  const uint64_t killed_ms = c_.NowMs();
  c_.agents().Kill("ms1");
  std::map<std::string, uint64_t> first;  // instance -> its first commit elsewhere
  ASSERT_TRUE(Eventually([&] {
    const std::vector<JournalLine> lines = c_.Journals();
    for (const char* i : {"queue@ms1", "ledger-01", "journal-01"}) {
      if (std::optional<uint64_t> ms = tools::FirstAckAfter(lines, i, killed_ms, "ms1")) first[i] = *ms;
    }
    return first.size() == 3;
  })) << c_.Logs();
  const std::vector<JournalLine> after = c_.Journals();
  for (const auto& [instance, ms] : first) {
    SCOPED_TRACE(instance);
    EXPECT_LE(ms - killed_ms, kLeaseMs + kGraceMs + 2000) << c_.Logs();
    const std::string now_on = c_.Owners()[instance];
    ASSERT_FALSE(now_on.empty()) << "no live owner of " << instance;
    EXPECT_NE(now_on, "ms1");
    EXPECT_GT(EpochOn(after, now_on, instance), EpochOn(before, "ms1", instance));
  }
  std::this_thread::sleep_for(300ms);
  c_.ExpectEveryAcknowledgedMessageOnce();
}

// SIGSTOP of the owner past its lease: the instances are taken over; after SIGCONT the old
// owner acknowledges nothing it attempts once the new owner has the store (the storage refuses
// its epoch, or it fenced itself first), nothing acknowledged is lost or duplicated, and
// `hastore verify` finds every store clean.
TEST_P(AgentFault, APausedOwnerThatWakesAfterATakeoverCannotWrite) {
  ASSERT_NO_FATAL_FAILURE(c_.Configure("servers = [\"ms1\", \"ms2\"]",
                                       StoreToml("solo", "file", kSingletonStays) +
                                           StoreToml("ledger", "jdbc", kSingletonStays) +
                                           StoreToml("journal", "replicated", kSingletonStays)));
  // ms1 first: with no boot delay and no failback, a singleton stays where it first ran.
  c_.Start("ms1", 200);
  ASSERT_TRUE(c_.ActiveWithCommits({{"solo-01", "ms1"}, {"ledger-01", "ms1"}, {"journal-01", "ms1"}})) << c_.Logs();
  c_.Start("ms2", 200);

  const uint64_t stopped_ms = c_.NowMs();
  c_.agents().Signal("ms1", SIGSTOP);
  // The leases move to ms2. The file and replicated stores take commits there at once; the
  // SQLite one may wait for ms1 to let go of the database's write lock, which it holds if it
  // stopped mid-commit.
  ASSERT_TRUE(c_.ActiveWithCommits({{"solo-01", "ms2"}, {"journal-01", "ms2"}}, stopped_ms)) << c_.Logs();
  ASSERT_TRUE(Eventually([&] { return c_.Owners()["ledger-01"] == "ms2"; })) << c_.Logs();
  std::this_thread::sleep_for(300ms);  // ms2 commits while ms1 sleeps
  const uint64_t continued_ms = c_.NowMs();
  c_.agents().Signal("ms1", SIGCONT);
  ASSERT_TRUE(c_.ActiveWithCommits({{"solo-01", "ms2"}, {"ledger-01", "ms2"}, {"journal-01", "ms2"}}, continued_ms))
      << c_.Logs();
  // ms1 finds its leases gone and stops every instance (its journal says so).
  ASSERT_TRUE(Eventually([&] {
    std::set<std::string> stopped;
    for (const JournalLine& j : c_.Journals()) {
      if (j.kind == 'D' && j.server == "ms1" && j.ms >= continued_ms) stopped.insert(j.instance);
    }
    return stopped.size() == 3;
  })) << c_.Log("ms1");
  std::this_thread::sleep_for(300ms);

  // Every attempt ms1 began after it woke, once ms2 had the store, was refused as fenced. (ms2
  // may have had only the lease: an SQLite store waits for the database lock a paused owner
  // holds, and until ms2 claims the store, ms1's commits come before ms2's and are ms2's to
  // recover.) Each attempt has its outcome in the journal by now: stopping an instance (its D
  // line) waits for its producer.
  const std::vector<JournalLine> lines = c_.Journals();
  std::map<std::string, uint64_t> taken_ms;  // instance -> when ms2 activated it
  for (const JournalLine& j : lines) {
    if (j.kind == 'U' && j.server == "ms2" && j.ms >= stopped_ms && taken_ms.count(j.instance) == 0)
      taken_ms[j.instance] = j.ms;
  }
  ASSERT_EQ(taken_ms.size(), 3u);
  std::set<std::string> woke_attempts;  // begun after waking and after ms2 had the store
  size_t refused = 0;
  for (const JournalLine& j : lines) {
    if (j.server != "ms1") continue;
    if (j.kind == 'W' && j.ms >= continued_ms && j.ms > taken_ms[j.instance]) woke_attempts.insert(j.n);
    if (j.kind == 'A') {
      EXPECT_EQ(woke_attempts.count(j.n), 0u) << "ms1 acknowledged " << j.instance << " " << j.n << " at " << j.ms
                                              << " ms; stopped at " << stopped_ms << ", continued at " << continued_ms
                                              << ", ms2 took it at " << taken_ms[j.instance];
    }
    if (j.kind == 'F' && woke_attempts.count(j.n) != 0) {
      ++refused;
      EXPECT_NE(j.text.find("fenced"), std::string::npos) << j.instance << " " << j.n << ": " << j.text;
    }
  }
  EXPECT_FALSE(woke_attempts.empty()) << "ms1 attempted nothing after waking: nothing was shown refused" << c_.Log("ms1");
  EXPECT_EQ(refused, woke_attempts.size());
  std::cout << "ms1 after waking: " << woke_attempts.size() << " attempts, " << refused << " refused\n";
  c_.ExpectEveryAcknowledgedMessageOnce();
  for (const std::string& store : {c_.dir() + "/shared/solo-01", "jdbc:Instance=ledger-01;Directory=" + c_.dir() + "/shared",
                                   "replicated:" + c_.DaemonsFile() + "/journal-01"}) {
    const CliResult verify = RunCli({"verify", store});
    EXPECT_EQ(verify.exit_status, 0) << store << "\n" << verify.out << verify.err;
  }
}

// With on_lease_lost = "exit", a server that wakes to find its leases ran out exits (status 3)
// instead of carrying on.
TEST_P(AgentFault, APausedOwnerConfiguredToExitExits) {
  ASSERT_NO_FATAL_FAILURE(c_.Configure("servers = [\"ms1\", \"ms2\"]\non_lease_lost = \"exit\"", StoreToml("solo", "file", kSingletonStays)));
  c_.Start("ms1");  // first, so that the singleton is there
  ASSERT_TRUE(c_.ActiveWithCommits({{"solo-01", "ms1"}})) << c_.Logs();
  c_.Start("ms2");
  const uint64_t stopped_ms = c_.NowMs();
  c_.agents().Signal("ms1", SIGSTOP);
  ASSERT_TRUE(c_.ActiveWithCommits({{"solo-01", "ms2"}}, stopped_ms)) << c_.Logs();
  c_.agents().Signal("ms1", SIGCONT);
  std::optional<int> status;
  ASSERT_TRUE(Eventually([&] { return (status = c_.agents().ExitStatus("ms1")).has_value(); })) << c_.Log("ms1");
  EXPECT_EQ(*status, 3) << c_.Log("ms1");
  EXPECT_NE(c_.Log("ms1").find("exiting (cluster.on_lease_lost = \"exit\")"), std::string::npos) << c_.Log("ms1");
  EXPECT_TRUE(c_.agents().Running("ms2"));
  c_.ExpectEveryAcknowledgedMessageOnce();
}

// A store that will not open on its server is restarted in place Number Of Restart Attempts
// times, then moved; it runs where it can once the fault is gone.
TEST_P(AgentFault, AFailingInstanceIsRestartedInPlaceThenMoved) {
  ASSERT_NO_FATAL_FAILURE(c_.Configure("servers = [\"ms1\", \"ms2\"]",
               "[stores.flaky]\nkind = \"file\"\ndistribution = \"singleton\"\nmigration_policy = \"on-failure\"\n"
               "initial_boot_delay_seconds = 0\npartial_cluster_stability_delay_seconds = 0\n"
               "number_of_restart_attempts = 2\nseconds_between_restarts = 1\n"
               "[stores.flaky.file]\ndirectory = \"${DIR}/flaky\"\n"));
  // The store's directory is a regular file: every open fails, on every server.
  ASSERT_TRUE(WriteWholeFile(c_.dir() + "/flaky", "not a directory"));
  // ms1 first, and ms2 once the store has failed there: a plan made before ms1 joined would
  // send the instance to ms2 for a reason other than ms1's failures.
  c_.Start("ms1");
  ASSERT_TRUE(Eventually([&] { return c_.Log("ms1").find("ms1: flaky-01 failed") != std::string::npos; }))
      << c_.Logs();
  c_.Start("ms2");
  ASSERT_TRUE(Eventually([&] {
    Result<ha::ClusterStatus> status = ha::ReadClusterStatus(c_.authority(), c_.config());
    if (!status.ok()) return false;
    return std::any_of(status->instances.begin(), status->instances.end(), [](const ha::InstanceStatus& i) {
      return i.instance == "flaky-01" && i.plan && i.plan->server == "ms2";
    });
  }, 30s)) << c_.Logs();
  std::filesystem::remove(c_.dir() + "/flaky");
  std::filesystem::create_directory(c_.dir() + "/flaky");
  ASSERT_TRUE(c_.ActiveWithCommits({{"flaky-01", "ms2"}})) << c_.Logs();
  // The first start and 2 restarts on ms1, and nothing more there.
  EXPECT_EQ(Count(c_.Log("ms1"), "ms1: flaky-01 failed: could not start"), 3u) << c_.Log("ms1");
  EXPECT_EQ(Count(c_.Log("ms1"), "activated flaky-01"), 0u) << c_.Log("ms1");
  c_.ExpectEveryAcknowledgedMessageOnce();
}

// The preferred server of a moved instance comes back: the instance returns to it once it has
// been up Failback Delay Seconds, not before.
TEST_P(AgentFault, AnInstanceFailsBackToItsReturningServerAfterTheDelay) {
  ASSERT_NO_FATAL_FAILURE(c_.Configure("servers = [\"ms1\", \"ms2\"]", StoreToml("queue", "file", kDistributed + "failback_delay_seconds = 2\n")));
  for (const char* s : {"ms1", "ms2"}) c_.Start(s);
  ASSERT_TRUE(c_.ActiveWithCommits({{"queue@ms1", "ms1"}, {"queue@ms2", "ms2"}})) << c_.Logs();
  const uint64_t killed_ms = c_.NowMs();
  c_.agents().Kill("ms1");
  ASSERT_TRUE(c_.ActiveWithCommits({{"queue@ms1", "ms2"}}, killed_ms)) << c_.Logs();

  const uint64_t restarted_ms = c_.NowMs();
  c_.Start("ms1");
  ASSERT_TRUE(c_.ActiveWithCommits({{"queue@ms1", "ms1"}, {"queue@ms2", "ms2"}}, restarted_ms)) << c_.Logs();
  uint64_t back_ms = 0;
  for (const JournalLine& j : c_.Journals()) {
    if (j.kind == 'U' && j.server == "ms1" && j.instance == "queue@ms1" && j.ms > restarted_ms && back_ms == 0) back_ms = j.ms;
  }
  // The delay counts from when ms1 took its server lease, after restarted_ms (the authority's
  // clock and this one differ by a rounding at most).
  EXPECT_GE(back_ms, restarted_ms + 2000 - 50) << c_.Logs();
  c_.ExpectEveryAcknowledgedMessageOnce();
}

// Fail Over Limit 1: after two servers die, the survivor takes one of their instances and
// leaves the other unplaced (status says why) rather than run two that are not its own.
TEST_P(AgentFault, AFailOverLimitLeavesAnInstanceUnplacedRatherThanOverloadAServer) {
  ASSERT_NO_FATAL_FAILURE(c_.Configure("servers = [\"ms1\", \"ms2\", \"ms3\"]", StoreToml("queue", "file", kDistributed + "fail_over_limit = 1\n")));
  for (const char* s : {"ms1", "ms2", "ms3"}) c_.Start(s);
  ASSERT_TRUE(c_.ActiveWithCommits({{"queue@ms1", "ms1"}, {"queue@ms2", "ms2"}, {"queue@ms3", "ms3"}})) << c_.Logs();
  uint64_t killed_ms = c_.NowMs();
  c_.agents().Kill("ms1");
  std::string first_host;
  ASSERT_TRUE(Eventually([&] {
    first_host = c_.Owners()["queue@ms1"];
    return !first_host.empty() && first_host != "ms1";
  })) << c_.Logs();
  ASSERT_TRUE(c_.ActiveWithCommits({{"queue@ms1", first_host}}, killed_ms)) << c_.Logs();
  const std::string survivor = first_host == "ms2" ? "ms3" : "ms2";

  killed_ms = c_.NowMs();
  c_.agents().Kill(first_host);
  const std::string orphan = "queue@" + first_host;
  // One of the two instances the survivor could take runs there; the other is not placed.
  std::string taken, left;
  ASSERT_TRUE(Eventually([&] {
    std::map<std::string, std::string> owners = c_.Owners();
    const bool has_orphan = owners[orphan] == survivor, has_moved = owners["queue@ms1"] == survivor;
    if (has_orphan == has_moved) return false;
    taken = has_orphan ? orphan : "queue@ms1";
    left = has_orphan ? "queue@ms1" : orphan;
    return true;
  })) << c_.Logs();
  ASSERT_TRUE(c_.ActiveWithCommits({{taken, survivor}}, killed_ms)) << c_.Logs();
  std::this_thread::sleep_for(1500ms);  // a plan tick or ten later, still unplaced
  EXPECT_EQ(c_.Owners().count(left), 0u) << c_.Logs();
  const CliResult status = RunCli({"status", "--config", c_.path()});
  ASSERT_EQ(status.exit_status, 0) << status.err;
  EXPECT_NE(status.out.find("fail-over limit 1"), std::string::npos) << status.out;
  c_.ExpectEveryAcknowledgedMessageOnce();
}

// A dynamic cluster: the instance of a server not yet started runs elsewhere; when the server
// joins (scale-up) it gets its distributed instance; when it is shut down (scale-down) the
// instance moves back to the others, its messages with it.
TEST_P(AgentFault, ADynamicClusterScalesUpAndDown) {
  ASSERT_NO_FATAL_FAILURE(c_.Configure("server_name_template = \"dyn-${ID}\"\nsize = 3",
               StoreToml("queue", "file", "distribution = \"distributed\"\nmigration_policy = \"always\"\n")));
  for (const char* s : {"dyn-1", "dyn-2"}) c_.Start(s);
  ASSERT_TRUE(c_.ActiveWithCommits({{"queue@dyn-1", "dyn-1"}, {"queue@dyn-2", "dyn-2"}})) << c_.Logs();
  std::string elsewhere;
  ASSERT_TRUE(Eventually([&] { return !(elsewhere = c_.Owners()["queue@dyn-3"]).empty(); })) << c_.Logs();
  ASSERT_TRUE(c_.ActiveWithCommits({{"queue@dyn-3", elsewhere}})) << c_.Logs();

  const uint64_t up_ms = c_.NowMs();
  c_.Start("dyn-3");
  ASSERT_TRUE(c_.ActiveWithCommits({{"queue@dyn-3", "dyn-3"}}, up_ms)) << c_.Logs();

  const uint64_t down_ms = c_.NowMs();
  EXPECT_EQ(c_.agents().Terminate("dyn-3"), 0) << c_.Log("dyn-3");
  ASSERT_TRUE(Eventually([&] { return !(elsewhere = c_.Owners()["queue@dyn-3"]).empty(); })) << c_.Logs();
  EXPECT_NE(elsewhere, "dyn-3");
  ASSERT_TRUE(c_.ActiveWithCommits({{"queue@dyn-3", elsewhere}}, down_ms)) << c_.Logs();
  c_.ExpectEveryAcknowledgedMessageOnce();
}

INSTANTIATE_TEST_SUITE_P(Authorities, AgentFault,
                         ::testing::Values(Authority::kLocal, Authority::kSqlite, Authority::kPostgresql), AuthorityName);

}  // namespace
}  // namespace hastore::testing
