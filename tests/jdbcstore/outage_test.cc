// PostgreSQL outages under load (DESIGN §6, jdbcstore/FORMAT.md "Outages"): 16 writers commit
// small transactions while the server is stopped with `pg_ctl stop -m immediate` (a crash: no
// checkpoint, sessions cut) and started again, three times. The store stays open and resumes by
// itself; afterwards the table holds every acknowledged commit, no commit that failed plainly,
// and each commit whose outcome was unknown either whole or not at all.
//
// Needs HASTORE_TEST_PGCTL (tools/test_postgres.sh) and stops the suite's one server, so it
// runs alone (hastore_run_serial in tests/CMakeLists.txt).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <map>
#include <memory>
#include <iostream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "common/eventually.h"
#include "jdbcstore/test_table.h"

namespace hastore::testing {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kWriters = 16;
// Each outage is another chance to cut a group inside its COMMIT; HASTORE_SOAK multiplies them.
const int kOutages = 3 * SoakFactor();

enum class Outcome { kAcknowledged, kUnknown, kNotApplied };

// One commit a writer attempted, and what the store answered.
struct Attempt {
  std::vector<std::pair<Handle, std::string>> creates;
  Handle removed = 0;  // 0: none; else an acknowledged record of the same writer
  Outcome outcome = Outcome::kNotApplied;
};

class Writer {
 public:
  Writer(int index, Connection connection) : index_(index), connection_(std::move(connection)), rng_(index) {}

  // Commits until *stop; counts acknowledged commits in *acked, and in *acked_after those that
  // completed once *restarted (a Clock time in ns, 0 until then) is set.
  void Run(Store& store, const std::atomic<bool>& stop, std::atomic<int64_t>& acked, const std::atomic<int64_t>& restarted,
           std::atomic<int64_t>& acked_after) {
    for (int seq = 0; !stop.load(); ++seq) {
      Transaction txn = store.Begin();
      Attempt attempt;
      const int creates = 1 + static_cast<int>(rng_() % 3);
      for (int i = 0; i < creates; ++i) {
        std::string data = "w" + std::to_string(index_) + "-t" + std::to_string(seq) + "-r" + std::to_string(i) + ":";
        data.append(static_cast<size_t>(rng_() % 200), static_cast<char>('a' + i));
        Result<Handle> h = txn.Create(connection_, data);
        if (!h.ok()) return Problem("create: " + h.status().ToString());
        attempt.creates.emplace_back(*h, std::move(data));
      }
      // Sometimes one of our own acknowledged records goes too. A record is targeted once at
      // most, so whether it is stored in the end depends on this one commit.
      if (!pool_.empty() && rng_() % 4 == 0) {
        const size_t at = rng_() % pool_.size();
        attempt.removed = pool_[at];
        pool_[at] = pool_.back();
        pool_.pop_back();
        Status s = txn.Remove(attempt.removed);
        if (!s.ok()) return Problem("remove: " + s.ToString());
      }
      const Status s = store.Commit(std::move(txn));
      if (s.ok()) {
        attempt.outcome = Outcome::kAcknowledged;
        for (const auto& [h, data] : attempt.creates) pool_.push_back(h);
        ++acked;
        const int64_t since = restarted.load();
        if (since != 0 && Clock::now().time_since_epoch().count() > since) ++acked_after;
      } else if (s.outcome_unknown()) {
        attempt.outcome = Outcome::kUnknown;
      } else if (s.code() == StatusCode::kNotApplied) {
        attempt.outcome = Outcome::kNotApplied;
      } else {
        return Problem("a commit failed neither with an unknown outcome nor as not applied: " + s.ToString());
      }
      attempts_.push_back(std::move(attempt));
    }
  }

  const std::vector<Attempt>& attempts() const { return attempts_; }
  const Connection& connection() const { return connection_; }
  const std::string& problem() const { return problem_; }

 private:
  void Problem(std::string what) { problem_ = "writer " + std::to_string(index_) + ": " + std::move(what); }

  const int index_;
  const Connection connection_;
  std::mt19937_64 rng_;
  std::vector<Handle> pool_;  // acknowledged records not yet targeted by a remove
  std::vector<Attempt> attempts_;
  std::string problem_;
};

TEST(JdbcOutage, CommitsSurviveAnImmediateRestartOfPostgresql) {
  const std::string pgctl = EnvOrEmpty("HASTORE_TEST_PGCTL");
  ASSERT_FALSE(pgctl.empty()) << "HASTORE_TEST_PGCTL is not set: this test stops and starts the PostgreSQL server "
                                 "that tools/test.sh starts (source tools/test_postgres.sh; hastore_start_postgres)";
  TestTable table(TestDatabase::kPostgresql, "outage");
  // Several groups in flight when the server dies: more chances to cut one inside its COMMIT.
  table.config().jdbc.worker_count = 4;
  auto store = table.Open(Ownership{0, "outage writer"});
  ASSERT_TRUE(store.ok()) << store.status().ToString();

  // A record read before and after the outage: the reader connection comes back too.
  auto seed_conn = (*store)->OpenConnection("seed");
  ASSERT_TRUE(seed_conn.ok()) << seed_conn.status().ToString();
  std::vector<Handle> seed;
  ASSERT_TRUE(CommitCreates(**store, *seed_conn, {"read across the outage"}, &seed).ok());
  ASSERT_TRUE((*store)->Read(seed[0]).ok());

  std::vector<std::unique_ptr<Writer>> writers;
  for (int i = 0; i < kWriters; ++i) {
    auto conn = (*store)->OpenConnection("writer-" + std::to_string(i));
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    writers.push_back(std::make_unique<Writer>(i, *conn));
  }

  std::atomic<bool> stop{false};
  std::atomic<int64_t> acked{0}, acked_after{0}, restarted{0};
  std::vector<std::thread> threads;
  for (auto& w : writers) {
    threads.emplace_back([&, w = w.get()] { w->Run(**store, stop, acked, restarted, acked_after); });
  }
  // Whatever happens below, the writers stop and the server is up again before the checks.
  PostgresServerControl server(pgctl);
  struct Cleanup {
    std::atomic<bool>& stop;
    std::vector<std::thread>& threads;
    PostgresServerControl& server;
    void Finish() {
      server.EnsureUp();
      stop = true;
      for (std::thread& t : threads) t.join();
      threads.clear();
    }
    ~Cleanup() { Finish(); }
  } cleanup{stop, threads, server};

  // Each outage comes once the writers have had 200 commits acknowledged since the last one
  // (or since the start): that the store resumed by itself is checked at every restart.
  int64_t acked_before = 0;
  auto restart_time = Clock::now();
  for (int outage = 0; outage < kOutages; ++outage) {
    const int64_t mark = acked.load();
    ASSERT_TRUE(Eventually([&] { return acked.load() >= mark + 200; }, std::chrono::seconds(60)))
        << "only " << acked.load() - mark << " commits succeeded in 60 s "
        << (outage == 0 ? std::string("before the first outage") : "after restart " + std::to_string(outage));
    if (outage == 0) acked_before = acked.load();
    ASSERT_EQ(server.Stop(), 0) << pgctl << " stop -m immediate failed";
    std::this_thread::sleep_for(std::chrono::seconds(1));
    ASSERT_EQ(server.Start(), 0) << pgctl << " start -w -t 60 failed";
    restart_time = Clock::now();
    acked_after = 0;
    restarted = restart_time.time_since_epoch().count();
  }
  const bool resumed = Eventually([&] { return acked_after.load() >= 200; }, std::chrono::seconds(60));
  const double resume_seconds = std::chrono::duration<double>(Clock::now() - restart_time).count();
  cleanup.Finish();
  for (const auto& w : writers) ASSERT_EQ(w->problem(), "");
  ASSERT_TRUE(resumed) << "only " << acked_after.load() << " commits succeeded in the 60 s after the last restart";

  int unknown = 0, failed = 0;
  for (const auto& w : writers) {
    for (const Attempt& a : w->attempts()) {
      unknown += a.outcome == Outcome::kUnknown;
      failed += a.outcome == Outcome::kNotApplied;
    }
  }
  std::cout << "acknowledged " << acked.load() << " (" << acked_before << " before the first outage, " << acked_after.load()
            << " after the last of " << kOutages << " restarts, " << resume_seconds << " s); failed " << failed
            << ", outcome unknown " << unknown << "\n";
  EXPECT_GT(unknown + failed, 0) << "no commit failed: the outage was not seen";

  // The store came back by itself: commits (above), reads, and its reconnections counted.
  EXPECT_TRUE((*store)->Health().ok()) << (*store)->Health().ToString();
  auto read = (*store)->Read(seed[0]);
  ASSERT_TRUE(read.ok()) << "a read after the restart: " << read.status().ToString();
  EXPECT_EQ(*read, "read across the outage");
  const std::string reconnects = StatsDetail(**store, "reconnects");
  EXPECT_GT(std::atoll(reconnects.c_str()), 0) << "reconnects = '" << reconnects << "'";
  // The restart ended the session that held the session lock: the store takes it again.
  EXPECT_TRUE(Eventually([&] { return StatsDetail(**store, "session_lock") == "held"; }, std::chrono::seconds(20)))
      << "session_lock = " << StatsDetail(**store, "session_lock");
  ASSERT_TRUE((*store)->Close().ok());

  // What the table holds now, against what each commit's answer allows.
  auto reader = table.OpenReadOnly();
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  std::map<Handle, std::string> found;
  for (const auto& w : writers) {
    std::map<Handle, std::string> part = ScanAll(**reader, w->connection());
    found.insert(part.begin(), part.end());
  }
  std::map<Handle, const Attempt*> removed_by;
  for (const auto& w : writers) {
    for (const Attempt& a : w->attempts()) {
      if (a.removed != 0) removed_by[a.removed] = &a;
    }
  }
  // Whether an attempt is in the table: known for answered commits; for an unknown outcome,
  // read from its creates (records no other commit touches), which must be all there or none.
  std::map<const Attempt*, bool> unknown_stored;
  for (const auto& w : writers) {
    for (const Attempt& a : w->attempts()) {
      if (a.outcome != Outcome::kUnknown) continue;
      size_t present = 0;
      for (const auto& [h, data] : a.creates) present += found.count(h);
      EXPECT_TRUE(present == 0 || present == a.creates.size())
          << "a commit of unknown outcome is partly stored: " << present << " of " << a.creates.size() << " creates";
      unknown_stored[&a] = present == a.creates.size();
    }
  }
  int unknown_applied = 0;
  for (const auto& [a, stored] : unknown_stored) unknown_applied += stored;
  std::cout << "of the " << unknown << " commits of unknown outcome, " << unknown_applied << " are stored\n";
  auto applied = [&](const Attempt& a) {
    return a.outcome == Outcome::kUnknown ? unknown_stored.at(&a) : a.outcome == Outcome::kAcknowledged;
  };
  size_t expected_rows = 0;
  for (const auto& w : writers) {
    for (const Attempt& a : w->attempts()) {
      const bool stored = applied(a);
      for (const auto& [h, data] : a.creates) {
        auto remover = removed_by.find(h);
        const bool removed = remover != removed_by.end() && applied(*remover->second);
        const char* outcome = a.outcome == Outcome::kAcknowledged ? "acknowledged"
                              : a.outcome == Outcome::kUnknown    ? "unknown-outcome"
                                                                  : "failed";
        auto it = found.find(h);
        if (stored && !removed) {
          ++expected_rows;
          ASSERT_NE(it, found.end()) << "record " << h << " of an " << outcome << " commit is lost"
                                     << (remover != removed_by.end() ? " (its remove failed or was not applied)" : "");
          EXPECT_EQ(it->second, data) << "record " << h;
        } else {
          EXPECT_EQ(it, found.end()) << "record " << h << " of a " << outcome << " commit is stored"
                                     << (removed ? ", though its remove was applied" : "");
        }
      }
    }
  }
  EXPECT_EQ(found.size(), expected_rows) << "the table holds records no commit created";
}

}  // namespace
}  // namespace hastore::testing
