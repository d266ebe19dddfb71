// The lease database goes away under a running cluster: real `hastore agent` processes lease
// from the suite's PostgreSQL server, which is stopped with `pg_ctl stop -m immediate` (or
// paused, below) while they write. Every owner must stop its instances itself within its lease and acknowledge
// nothing after; when the database returns the cluster takes up its work again, and every
// acknowledged message is in the stores. Stops the suite's one server, so it runs alone.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <iostream>
#include <map>
#include <thread>

#include "agent_process_fixture.h"

namespace hastore::testing {
namespace {

using tools::JournalLine;

// Three servers, each with its own instance of a distributed file store and a producer
// writing to it, leasing from the suite's PostgreSQL server.
class AgentLeaseOutage : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(pgctl_.empty() || pgdata_.empty())
        << "HASTORE_TEST_PGCTL or HASTORE_TEST_PGDATA is not set: these tests stop, pause and start the "
           "PostgreSQL server that tools/test.sh starts (source tools/test_postgres.sh; hastore_start_postgres)";
    ASSERT_NO_FATAL_FAILURE(
        c_.Configure("servers = [\"ms1\", \"ms2\", \"ms3\"]", StoreToml("queue", "file", kDistributed)));
    for (const auto& [instance, server] : home_) c_.Start(server);
    ASSERT_TRUE(c_.ActiveWithCommits(home_)) << c_.Logs();
  }

  // The first journal line after `since_ms` of each server that `wanted` picks, by server.
  std::map<std::string, uint64_t> EachServersFirst(uint64_t since_ms, const std::function<bool(const JournalLine&)>& wanted) {
    std::map<std::string, uint64_t> first;
    EXPECT_TRUE(Eventually([&] {
      for (const JournalLine& j : c_.Journals()) {
        if (j.ms >= since_ms && wanted(j)) first.emplace(j.server, j.ms);
      }
      return first.size() == home_.size();
    })) << c_.Logs();
    return first;
  }

  // Nothing acknowledged between `from_ms` and `to_ms` later than a lease after `from_ms`
  // (the last renewal reached the database before then), plus one commit under way.
  void ExpectNoAcknowledgementPastTheLease(uint64_t from_ms, uint64_t to_ms) {
    constexpr uint64_t kCommitMs = 100;
    for (const JournalLine& j : c_.Journals()) {
      if (j.kind != 'A' || j.ms < from_ms || j.ms > to_ms) continue;
      EXPECT_LE(j.ms, from_ms + kLeaseMs + kCommitMs) << j.server << " acknowledged " << j.instance << " " << j.n
                                                      << " after its lease had ended";
    }
  }

  // The database answers again: every instance takes commits at home, and every acknowledged
  // message is in the stores once.
  void ExpectTheClusterResumes() {
    ASSERT_TRUE(c_.ActiveWithCommits(home_, c_.NowMs())) << c_.Logs();
    c_.ExpectEveryAcknowledgedMessageOnce();
  }

  const std::string pgctl_ = EnvOrEmpty("HASTORE_TEST_PGCTL");
  const std::string pgdata_ = EnvOrEmpty("HASTORE_TEST_PGDATA");
  const std::map<std::string, std::string> home_ = {{"queue@ms1", "ms1"}, {"queue@ms2", "ms2"}, {"queue@ms3", "ms3"}};
  AgentProcessCluster c_{Authority::kPostgresql};
  PostgresServerControl database_{pgctl_};
};

TEST_F(AgentLeaseOutage, EveryOwnerFencesItselfWithinItsLeaseAndResumesWhenTheDatabaseReturns) {
  const uint64_t stopping_ms = c_.NowMs();
  ASSERT_EQ(database_.Stop(), 0) << pgctl_ << " stop -m immediate failed";
  // The server is down by now: a renewal may have reached it while pg_ctl was stopping it, so
  // leases are judged from here.
  const uint64_t stopped_ms = c_.NowMs();
  // Each server stops its instance: a D line in its journal.
  const std::map<std::string, uint64_t> fenced_ms =
      EachServersFirst(stopping_ms, [](const JournalLine& j) { return j.kind == 'D'; });
  ASSERT_EQ(fenced_ms.size(), home_.size());
  std::this_thread::sleep_for(std::chrono::milliseconds(kLeaseMs));  // nothing more while the database is away

  for (const auto& [server, ms] : fenced_ms) {
    SCOPED_TRACE(server);
    std::cout << server << " stopped its instance " << static_cast<int64_t>(ms - stopped_ms)
              << " ms after the database was down (pg_ctl took " << stopped_ms - stopping_ms << " ms)\n";
    // The last renewal reached the server before it was down, so the lease ended within kLeaseMs
    // of that; the agent trusts it for a fifth less. The bound leaves room for a loaded
    // machine's scheduling: the safety check is the one on acknowledgements below.
    EXPECT_LE(ms, stopped_ms + kLeaseMs + 1000) << c_.Log(server);
  }
  ExpectNoAcknowledgementPastTheLease(stopped_ms, c_.NowMs());

  ASSERT_EQ(database_.Start(), 0) << pgctl_ << " start failed";
  ExpectTheClusterResumes();
}

// The lease database hangs instead of going away: every PostgreSQL process is paused with
// SIGSTOP, so the agents' renewals and reads wait on connections that never answer, and no
// agent thread can get round to stopping its instances. The stores themselves must stop
// acknowledging when the leases' trust ends (their write guard), with the guard's refusal as
// the producers' error; when the database answers again the cluster takes up its work.
TEST_F(AgentLeaseOutage, AHungDatabaseGetsNoAcknowledgementPastTheLeaseAndTheClusterResumes) {
  const uint64_t pausing_ms = c_.NowMs();
  ASSERT_TRUE(database_.Pause(pgdata_)) << "no postmaster.pid in " << pgdata_;
  // Each server's producer is refused by the guard before anything is written: an F line
  // naming the leases, not applied.
  const std::map<std::string, uint64_t> refused_ms = EachServersFirst(pausing_ms, [](const JournalLine& j) {
    return j.kind == 'F' && j.not_applied && j.text.find("could not renew its leases") != std::string::npos;
  });
  ASSERT_EQ(refused_ms.size(), home_.size());
  std::this_thread::sleep_for(std::chrono::milliseconds(kLeaseMs));  // nothing more while the database hangs

  for (const auto& [server, ms] : refused_ms) {
    std::cout << server << " refused writes " << static_cast<int64_t>(ms - pausing_ms)
              << " ms after the database was paused\n";
  }
  // The producers kept trying past the lease (so no acknowledgement there means refusals, not
  // silence): each has a refusal after it.
  const std::map<std::string, uint64_t> refused_later =
      EachServersFirst(pausing_ms + kLeaseMs + 100, [](const JournalLine& j) { return j.kind == 'F'; });
  EXPECT_EQ(refused_later.size(), home_.size());
  ExpectNoAcknowledgementPastTheLease(pausing_ms, c_.NowMs());

  database_.Resume();
  ExpectTheClusterResumes();
}

}  // namespace
}  // namespace hastore::testing
