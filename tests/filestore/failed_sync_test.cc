// A failed fdatasync (DESIGN §3): the commit fails, the instance enters the failed state and
// never retries, every later commit fails, and recovery after close finds every acknowledged
// record and the failed transaction either whole or absent.
#include <gtest/gtest.h>

#include <future>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "filestore/fault_workload.h"

namespace hastore::testing {
namespace {

using CrashMode = FaultFileSystem::CrashMode;

class FailedSyncTest : public ::testing::TestWithParam<SyncPolicy> {
 protected:
  void SetUp() override { config_ = FaultStoreConfig(GetParam()); }

  // A store with the first `transactions` steps of the workload acknowledged, left open.
  void StartWorkload(FaultFileSystem& fs, int transactions, WorkloadRun* run) {
    ASSERT_TRUE(fs.AddExistingDirs(kFaultDir).ok());
    *run = RunWorkload(fs, config_, WorkloadShape{transactions});
    ASSERT_TRUE(run->stopped.ok()) << run->stopped.ToString();
    ASSERT_NE(run->store, nullptr);
  }

  // Commits a small create in `conn`; on failure the transaction is added to run's in-flight
  // image and its handle to run's handles (so recovery must show it whole or not at all).
  Status CommitOne(WorkloadRun& run, const std::string& conn, int step, bool first_failure) {
    auto c = run.store->OpenConnection(conn);
    if (!c.ok()) return c.status();
    Transaction t = run.store->Begin();
    const std::string data = RecordData(step, 0, 900);
    auto h = t.Create(*c, data);
    EXPECT_TRUE(h.ok()) << h.status().ToString();
    if (!h.ok()) return h.status();
    Status s = run.store->Commit(std::move(t));
    run.handles.insert(*h);
    if (s.ok()) {
      run.acked.connections[conn][*h] = data;
      ++run.acked_steps;
    } else if (first_failure) {
      run.in_flight = run.acked;
      run.in_flight->connections[conn][*h] = data;
    }
    return s;
  }

  // Closes the store (no power loss unless `crash`), reopens it and checks the records.
  void ReopenAndCheck(FaultFileSystem& fs, WorkloadRun& run, bool crash) {
    EXPECT_TRUE(run.store->Close().ok());
    run.store.reset();
    if (crash) fs.SimulateCrash(CrashMode::kDropUnsynced);
    auto reopened = OpenStoreOn(fs, config_);
    ASSERT_TRUE(reopened.ok()) << "reopen after the failed sync: " << reopened.status().ToString();
    StoreImage recovered;
    EXPECT_TRUE(HoldsAckedState(**reopened, run, &recovered));
    EXPECT_TRUE(InspectsClean(fs, config_));
    // And it works again.
    auto c = (*reopened)->OpenConnection("after-reopen");
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    Transaction t = (*reopened)->Begin();
    ASSERT_TRUE(t.Create(*c, "works").ok());
    EXPECT_TRUE((*reopened)->Commit(std::move(t)).ok());
  }

  // Twenty transactions of the workload acknowledged, then the next sync set to fail;
  // *segments is the number of segment files before it.
  void FailTheNextSync(FaultFileSystem& fs, WorkloadRun* run, size_t* segments) {
    StartWorkload(fs, 20, run);
    if (HasFatalFailure()) return;
    *segments = SegmentFiles(fs);
    fs.FailSyncAt(fs.sync_count() + 1);
  }

  // The sync of a commit in the middle of the workload fails.
  void FailTheSyncOfACommit(bool crash) {
    FaultFileSystem fs;
    WorkloadRun run;
    size_t segments = 0;
    FailTheNextSync(fs, &run, &segments);
    if (HasFatalFailure()) return;
    const uint64_t syncs = fs.sync_count();  // the failing one is next

    Status s = CommitOne(run, "queue/alpha", 500, true);
    EXPECT_EQ(s.code(), StatusCode::kFailed) << s.ToString();
    ASSERT_EQ(fs.sync_count(), syncs + 1) << "the commit's own sync, and nothing after it";
    ASSERT_EQ(SegmentFiles(fs), segments) << "test setup: the failed sync must be the commit's, not a roll's";
    EXPECT_EQ(run.store->Health().code(), StatusCode::kFailed);
    EXPECT_EQ(run.store->Stats().state, "failed");

    // Never retried, never acknowledged: every later commit fails, whatever it does.
    for (int i = 0; i < 5; ++i) {
      Status later = CommitOne(run, i % 2 ? "queue/alpha" : "topic/beta-\xc3\xbc", 501 + i, false);
      EXPECT_FALSE(later.ok()) << "commit " << i << " after the failed sync";
    }
    Transaction update = run.store->Begin();
    ASSERT_FALSE(run.acked.connections["queue/alpha"].empty());
    EXPECT_TRUE(update.Update(run.acked.connections["queue/alpha"].begin()->first, "late").ok());
    EXPECT_FALSE(run.store->Commit(std::move(update)).ok());
    EXPECT_FALSE(run.store->OpenConnection("new-after-failure").ok());
    EXPECT_EQ(fs.sync_count(), syncs + 1) << "a failed instance must not sync again";
    ReopenAndCheck(fs, run, crash);
  }

  // Fails each sync of the workload in turn.
  void SweepSyncs(WorkloadShape shape) {
    uint64_t total = 0;
    {
      FaultFileSystem fs;
      ASSERT_TRUE(fs.AddExistingDirs(kFaultDir).ok());
      WorkloadRun run = RunWorkload(fs, config_, shape);
      ASSERT_TRUE(run.stopped.ok()) << run.stopped.ToString();
      total = fs.sync_count();
      EXPECT_TRUE(run.store->Close().ok());
    }
    ASSERT_GT(total, 30u);
    std::vector<uint64_t> failed;
    for (uint64_t n = 1; n <= total && failed.size() < 3; ++n) {
      const FailureMark mark;
      for (bool crash : {false, true}) {
        SCOPED_TRACE("sync " + std::to_string(n) + (crash ? " then power loss" : ""));
        FaultFileSystem fs;
        EXPECT_TRUE(fs.AddExistingDirs(kFaultDir).ok());
        fs.FailSyncAt(n);
        WorkloadRun run = RunWorkload(fs, config_, shape);
        EXPECT_GE(fs.sync_count(), n);
        if (run.store) {
          EXPECT_FALSE(run.store->Health().ok()) << "a failed sync must put the instance in the failed state";
          Status later = CommitOne(run, "queue/alpha", 900, !run.in_flight.has_value());
          EXPECT_FALSE(later.ok()) << "a commit after the failed sync";
          ReopenAndCheck(fs, run, crash);
        } else {
          EXPECT_FALSE(run.stopped.ok());
          if (crash) fs.SimulateCrash(CrashMode::kDropUnsynced);
          auto reopened = OpenStoreOn(fs, config_);
          EXPECT_TRUE(reopened.ok()) << reopened.status().ToString();
          if (reopened.ok()) {
            EXPECT_TRUE((*reopened)->Connections().empty());
          }
        }
      }
      if (!mark.clean()) failed.push_back(n);
    }
    if (!failed.empty()) {
      std::string list;
      for (uint64_t n : failed) list += " " + std::to_string(n);
      ADD_FAILURE() << "failing syncs:" << list << (failed.size() >= 3 ? " (stopped there)" : "");
    }
  }

  StoreConfig config_;
  QuietLogs quiet_;
};

TEST_P(FailedSyncTest, CommitFailsAndTheInstanceStaysFailed) { FailTheSyncOfACommit(false); }

TEST_P(FailedSyncTest, CommitFailsThenPowerLoss) { FailTheSyncOfACommit(true); }

// Commits waiting together when the sync fails: all of them fail, and so does everything after.
TEST_P(FailedSyncTest, EveryCommitOfTheFailedGroupFails) {
  FaultFileSystem fs;
  WorkloadRun run;
  StartWorkload(fs, 12, &run);
  if (HasFatalFailure()) return;
  auto conn = run.store->OpenConnection("queue/alpha");
  ASSERT_TRUE(conn.ok());
  fs.FailSyncAt(fs.sync_count() + 1);
  std::map<Handle, std::string> pending;
  std::vector<std::future<Status>> futures;
  for (int i = 0; i < 32; ++i) {
    Transaction t = run.store->Begin();
    const std::string data = RecordData(700 + i, 0, 100 + 37 * i);
    auto h = t.Create(*conn, data);
    ASSERT_TRUE(h.ok());
    pending[*h] = data;
    run.handles.insert(*h);
    futures.push_back(run.store->CommitFuture(std::move(t)));
  }
  for (auto& f : futures) EXPECT_FALSE(f.get().ok());
  EXPECT_FALSE(run.store->Health().ok());
  EXPECT_TRUE(run.store->Close().ok());
  run.store.reset();

  auto reopened = OpenStoreOn(fs, config_);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  StoreImage got;
  ASSERT_TRUE(ReadImage(**reopened, run.handles, &got));
  // Every acknowledged record; of the failed ones, only whole records with their own bytes.
  for (const auto& [name, records] : run.acked.connections) {
    for (const auto& [h, data] : records) EXPECT_EQ(got.connections[name][h], data) << "handle " << h;
  }
  for (const auto& [h, data] : got.connections["queue/alpha"]) {
    if (run.acked.connections["queue/alpha"].count(h)) continue;
    ASSERT_TRUE(pending.count(h)) << "handle " << h << " was never written";
    EXPECT_EQ(data, pending[h]) << "handle " << h;
  }
  EXPECT_TRUE(InspectsClean(fs, config_));
}

// A commit that needs a new segment, whose header sync fails: the same failed state as a
// commit's own sync (kFailed from Health), and a clean reopen. The commit itself was never
// written (the roll failed first), so it is not applied, and the reopened store must not hold it.
TEST_P(FailedSyncTest, FailedSyncOfTheSegmentACommitRollsTo) {
  FaultFileSystem fs;
  WorkloadRun run;
  size_t segments = 0;
  FailTheNextSync(fs, &run, &segments);
  if (HasFatalFailure()) return;
  auto conn = run.store->OpenConnection("queue/alpha");
  ASSERT_TRUE(conn.ok());
  Transaction t = run.store->Begin();
  const std::string big = RecordData(600, 0, 900u << 10);  // never fits beside the head's records
  auto h = t.Create(*conn, big);
  ASSERT_TRUE(h.ok());
  run.handles.insert(*h);
  Status s = run.store->Commit(std::move(t));
  ASSERT_EQ(SegmentFiles(fs), segments + 1) << "test setup: the commit must have started a new segment";
  EXPECT_EQ(s.code(), StatusCode::kNotApplied) << s.ToString();
  EXPECT_TRUE(s.not_applied());
  EXPECT_EQ(run.store->Health().code(), StatusCode::kFailed) << run.store->Health().ToString();
  EXPECT_FALSE(CommitOne(run, "queue/alpha", 601, false).ok());
  ReopenAndCheck(fs, run, false);
}

// Compaction's request to seal the head (CompactFileStore with force) creates a segment through
// the writer; when that segment's sync fails, the instance must fail like for any other failed
// sync. Otherwise it keeps appending to the old head past the seal that the new segment's
// header already records, and recovery, which ignores bytes past a seal, drops those commits.
TEST_P(FailedSyncTest, FailedSyncOfTheSegmentCompactionRollsTo) {
  FaultFileSystem fs;
  WorkloadRun run;
  size_t segments = 0;
  FailTheNextSync(fs, &run, &segments);
  if (HasFatalFailure()) return;
  auto compacted = CompactFileStore(*run.store, true);
  EXPECT_FALSE(compacted.ok());
  ASSERT_EQ(SegmentFiles(fs), segments + 1) << "test setup: the roll must have created its segment";
  EXPECT_FALSE(run.store->Health().ok()) << "a failed sync must put the instance in the failed state";
  // Whatever the store answers now, what it acknowledges must survive a reopen.
  for (int i = 0; i < 3; ++i) (void)CommitOne(run, "queue/alpha", 610 + i, !run.in_flight.has_value());
  EXPECT_EQ(run.acked_steps, WorkloadSteps(20)) << "commits after the failed sync were acknowledged";
  ReopenAndCheck(fs, run, false);
}

// Every sync of the workload, in turn, fails (the fence's, a segment's header, a catalogue, a
// connection, a commit, a compaction's): the first step that fails is the one in flight, the
// store is failed from then on, and a reopen, with and without a power loss, holds what was
// acknowledged.
TEST_P(FailedSyncTest, EverySyncOfTheWorkload) { SweepSyncs({}); }

TEST_P(FailedSyncTest, EverySyncOfACompactingWorkload) { SweepSyncs(kCompactingWorkload); }

INSTANTIATE_TEST_SUITE_P(FileStore, FailedSyncTest,
                         ::testing::Values(SyncPolicy::kDirectWrite, SyncPolicy::kCacheFlush, SyncPolicy::kDirectWriteWithCache),
                         PolicyTestName);

}  // namespace
}  // namespace hastore::testing
