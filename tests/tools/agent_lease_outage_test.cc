// The lease database goes away under a running cluster: real `hastore agent` processes lease
// from the suite's PostgreSQL server, which is stopped with `pg_ctl stop -m immediate` (or
// paused, below) while they write. Every owner must stop its instances itself within its lease and acknowledge
// nothing after; when the database returns the cluster takes up its work again, and every
// acknowledged message is in the stores. Stops the suite's one server, so it runs alone.
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <map>
#include <thread>

#include "agent_process_fixture.h"

namespace hastore::testing {
namespace {

using tools::JournalLine;

TEST(AgentLeaseOutage, EveryOwnerFencesItselfWithinItsLeaseAndResumesWhenTheDatabaseReturns) {
  const std::string pgctl = EnvOrEmpty("HASTORE_TEST_PGCTL");
  ASSERT_FALSE(pgctl.empty()) << "HASTORE_TEST_PGCTL is not set: this test stops and starts the PostgreSQL server "
                                 "that tools/test.sh starts (source tools/test_postgres.sh; hastore_start_postgres)";
  AgentProcessCluster c(Authority::kPostgresql);
  ASSERT_NO_FATAL_FAILURE(
      c.Configure("servers = [\"ms1\", \"ms2\", \"ms3\"]", StoreToml("queue", "file", kDistributed)));
  const std::map<std::string, std::string> home = {{"queue@ms1", "ms1"}, {"queue@ms2", "ms2"}, {"queue@ms3", "ms3"}};
  for (const auto& [instance, server] : home) c.Start(server);
  ASSERT_TRUE(c.ActiveWithCommits(home)) << c.Logs();

  PostgresServerControl database(pgctl);
  const uint64_t stopping_ms = c.NowMs();
  ASSERT_EQ(database.Stop(), 0) << pgctl << " stop -m immediate failed";
  // The server is down by now: a renewal may have reached it while pg_ctl was stopping it, so
  // leases are judged from here.
  const uint64_t stopped_ms = c.NowMs();
  // Each server stops its instance: a D line in its journal.
  std::map<std::string, uint64_t> fenced_ms;  // server -> when it stopped its instance
  ASSERT_TRUE(Eventually([&] {
    for (const JournalLine& j : c.Journals()) {
      if (j.kind == 'D' && j.ms >= stopping_ms && fenced_ms.count(j.server) == 0) fenced_ms[j.server] = j.ms;
    }
    return fenced_ms.size() == home.size();
  })) << c.Logs();
  std::this_thread::sleep_for(std::chrono::milliseconds(kLeaseMs));  // nothing more while the database is away

  const uint64_t restarted_ms = c.NowMs();
  for (const auto& [server, ms] : fenced_ms) {
    SCOPED_TRACE(server);
    std::cout << server << " stopped its instance " << static_cast<int64_t>(ms - stopped_ms)
              << " ms after the database was down (pg_ctl took " << stopped_ms - stopping_ms << " ms)\n";
    // The last renewal reached the server before it was down, so the lease ended within kLeaseMs
    // of that; the agent trusts it for a fifth less. The bound leaves room for a loaded
    // machine's scheduling: the safety check is the one on acknowledgements below.
    EXPECT_LE(ms, stopped_ms + kLeaseMs + 1000) << c.Log(server);
  }
  // Nothing acknowledged after the leases had ended (their end, plus one commit under way when
  // the agent stopped its producers), until the database came back.
  constexpr uint64_t kCommitMs = 100;
  for (const JournalLine& j : c.Journals()) {
    if (j.kind != 'A' || j.ms < stopped_ms || j.ms > restarted_ms) continue;
    EXPECT_LE(j.ms, stopped_ms + kLeaseMs + kCommitMs) << j.server << " acknowledged " << j.instance << " " << j.n
                                                       << " after its lease had ended";
  }

  ASSERT_EQ(database.Start(), 0) << pgctl << " start failed";
  ASSERT_TRUE(c.ActiveWithCommits(home, c.NowMs())) << c.Logs();
  c.ExpectEveryAcknowledgedMessageOnce();
}

// The lease database hangs instead of going away: every PostgreSQL process is paused with
// SIGSTOP, so the agents' renewals and reads wait on connections that never answer, and no
// agent thread can get round to stopping its instances. The stores themselves must stop
// acknowledging when the leases' trust ends (their write guard), with the guard's refusal as
// the producers' error; when the database answers again the cluster takes up its work.
TEST(AgentLeaseOutage, AHungDatabaseGetsNoAcknowledgementPastTheLeaseAndTheClusterResumes) {
  const std::string pgctl = EnvOrEmpty("HASTORE_TEST_PGCTL");
  const std::string pgdata = EnvOrEmpty("HASTORE_TEST_PGDATA");
  ASSERT_FALSE(pgctl.empty() || pgdata.empty())
      << "HASTORE_TEST_PGCTL or HASTORE_TEST_PGDATA is not set: this test pauses the PostgreSQL server that "
         "tools/test.sh starts (source tools/test_postgres.sh; hastore_start_postgres)";
  AgentProcessCluster c(Authority::kPostgresql);
  ASSERT_NO_FATAL_FAILURE(
      c.Configure("servers = [\"ms1\", \"ms2\", \"ms3\"]", StoreToml("queue", "file", kDistributed)));
  const std::map<std::string, std::string> home = {{"queue@ms1", "ms1"}, {"queue@ms2", "ms2"}, {"queue@ms3", "ms3"}};
  for (const auto& [instance, server] : home) c.Start(server);
  ASSERT_TRUE(c.ActiveWithCommits(home)) << c.Logs();

  PostgresServerControl database(pgctl);
  const uint64_t pausing_ms = c.NowMs();
  ASSERT_TRUE(database.Pause(pgdata)) << "no postmaster.pid in " << pgdata;
  // Each server's producer is refused by the guard: an F line naming the leases.
  std::map<std::string, uint64_t> refused_ms;  // server -> its first refusal
  ASSERT_TRUE(Eventually([&] {
    for (const JournalLine& j : c.Journals()) {
      if (j.kind == 'F' && j.ms >= pausing_ms && j.text.find("could not renew its leases") != std::string::npos) {
        refused_ms.emplace(j.server, j.ms);
      }
    }
    return refused_ms.size() == home.size();
  })) << c.Logs();
  std::this_thread::sleep_for(std::chrono::milliseconds(kLeaseMs));  // nothing more while the database hangs

  // Nothing acknowledged after the leases had ended: the last renewal was sent before the
  // pause, so its lease ended within kLeaseMs of it, plus one commit under way.
  const uint64_t resuming_ms = c.NowMs();
  constexpr uint64_t kCommitMs = 100;
  for (const JournalLine& j : c.Journals()) {
    if (j.kind != 'A' || j.ms < pausing_ms || j.ms > resuming_ms) continue;
    EXPECT_LE(j.ms, pausing_ms + kLeaseMs + kCommitMs) << j.server << " acknowledged " << j.instance << " " << j.n
                                                       << " after its lease had ended";
  }
  for (const auto& [server, ms] : refused_ms) {
    std::cout << server << " refused writes " << static_cast<int64_t>(ms - pausing_ms)
              << " ms after the database was paused\n";
  }

  database.Resume();
  ASSERT_TRUE(c.ActiveWithCommits(home, c.NowMs())) << c.Logs();
  c.ExpectEveryAcknowledgedMessageOnce();
}

}  // namespace
}  // namespace hastore::testing
