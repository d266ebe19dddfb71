// Every I/O of a workload is a crash point (DESIGN §3, §5; SQLite's way): the workload runs
// until the k-th I/O fails as if the process died there, the file system then loses power, and
// the reopened store must hold exactly the acknowledged transactions, or those plus the one in
// flight, whole; it must inspect clean and keep working.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "common/temp_dir.h"
#include "filestore/fault_workload.h"
#include "hastore/storage/names.h"

namespace hastore::testing {
namespace {

using CrashMode = FaultFileSystem::CrashMode;

struct CrashParam {
  SyncPolicy policy;
  CrashMode mode;
};

std::string ParamName(const ::testing::TestParamInfo<CrashParam>& info) {
  std::string name(ToString(info.param.policy));
  std::erase(name, '-');
  return name + (info.param.mode == CrashMode::kDropUnsynced ? "_DropUnsynced" : "_TearUnsynced");
}

class CrashPointTest : public ::testing::TestWithParam<CrashParam> {
 protected:
  void SetUp() override { config_ = FaultStoreConfig(GetParam().policy); }

  // The workload without faults: every step acknowledged. Its I/O count.
  uint64_t CountIos(WorkloadShape shape = {}) {
    FaultFileSystem fs;
    EXPECT_TRUE(fs.AddExistingDirs(kFaultDir).ok());
    WorkloadRun run = RunWorkload(fs, config_, shape);
    EXPECT_TRUE(run.stopped.ok()) << run.stopped.ToString();
    EXPECT_EQ(run.acked_steps, WorkloadSteps(shape));
    if (shape.compact_after < 0) {
      EXPECT_GE(SegmentFiles(fs), 4u) << "the workload must roll over several segments";
    }
    if (run.store) {
      EXPECT_TRUE(run.store->Close().ok());
    }
    return fs.io_count();
  }

  // A fresh file system on which the workload ran until the process "died" at I/O k; the
  // store is closed, the power not yet lost.
  void RunUntilCrash(FaultFileSystem& fs, uint64_t k, WorkloadShape shape, WorkloadRun* run) {
    ASSERT_TRUE(fs.AddExistingDirs(kFaultDir).ok());
    fs.CrashAtIo(k);
    *run = RunWorkload(fs, config_, shape);
    ASSERT_TRUE(fs.crashed()) << "the workload never reached I/O " << k;
    if (!run->stopped.ok()) {
      ASSERT_NE(run->stopped.code(), StatusCode::kInvalidArgument) << run->stopped.ToString();
    }
    if (run->store) {  // (the failed state after a failed I/O is failed_sync_test's subject)
      EXPECT_TRUE(run->store->Close().ok());
      run->store.reset();
    }
  }

  // After the power loss: recover, compare with the model, inspect, then one more transaction
  // (updating a recovered record and creating one) and another reopen.
  void RecoverAndContinue(FaultFileSystem& fs, const WorkloadRun& run) {
    StoreImage recovered;
    std::set<Handle> handles = run.handles;
    {
      auto reopened = OpenStoreOn(fs, config_);
      ASSERT_TRUE(reopened.ok()) << "reopen after the crash: " << reopened.status().ToString();
      Store& store = **reopened;
      ASSERT_TRUE(HoldsAckedState(store, run, &recovered));
      ASSERT_TRUE(InspectsClean(fs, config_));

      auto conn = store.OpenConnection("after-recovery");
      ASSERT_TRUE(conn.ok()) << conn.status().ToString();
      Transaction t = store.Begin();
      const std::string data = RecordData(1000, 0, 30000);
      auto h = t.Create(*conn, data);
      ASSERT_TRUE(h.ok()) << h.status().ToString();
      for (auto& [name, records] : recovered.connections) {
        if (records.empty()) continue;
        auto& [old, bytes] = *records.begin();
        bytes = RecordData(1000, 1, 700);
        ASSERT_TRUE(t.Update(old, bytes).ok());
        break;
      }
      Status s = store.Commit(std::move(t));
      ASSERT_TRUE(s.ok()) << "commit after recovery: " << s.ToString();
      recovered.connections["after-recovery"][*h] = data;
      handles.insert(*h);
      ASSERT_TRUE(store.Close().ok());
    }
    auto again = OpenStoreOn(fs, config_);
    ASSERT_TRUE(again.ok()) << "second reopen: " << again.status().ToString();
    StoreImage got;
    ASSERT_TRUE(ReadImage(**again, handles, &got));
    EXPECT_EQ(got, recovered) << "after recovery and one more transaction:" << DescribeDifference(recovered, got);
    EXPECT_TRUE(InspectsClean(fs, config_));
  }

  // Runs check(k, seed) for each crash point, stopping after a few failing ones.
  template <class Check>
  void ForEachCrashPoint(const std::vector<uint64_t>& points, Check check) {
    const int seeds = GetParam().mode == CrashMode::kTearUnsynced ? SoakFactor() : 1;
    std::vector<std::string> failed;
    for (uint64_t k : points) {
      for (int s = 0; s < seeds; ++s) {
        const uint64_t seed = k + static_cast<uint64_t>(s) * 1000003u;
        SCOPED_TRACE("crash at I/O " + std::to_string(k) + ", seed " + std::to_string(seed));
        const FailureMark mark;
        check(k, seed);
        if (!mark.clean()) failed.push_back(std::to_string(k) + "/" + std::to_string(seed));
      }
      if (failed.size() >= 3) break;
    }
    if (!failed.empty()) {
      std::string list;
      for (const std::string& f : failed) list += " " + f;
      ADD_FAILURE() << "failing crash points (I/O/seed):" << list << (failed.size() >= 3 ? " (stopped there)" : "");
    }
  }

  // Crashes the workload at each of its I/Os in turn.
  void SweepWorkload(WorkloadShape shape) {
    const uint64_t n = CountIos(shape);
    ASSERT_FALSE(HasFailure());
    ASSERT_GT(n, 60u);
    std::vector<uint64_t> points;
    for (uint64_t k = 1; k <= n; ++k) points.push_back(k);
    ForEachCrashPoint(points, [&](uint64_t k, uint64_t seed) {
      FaultFileSystem fs;
      WorkloadRun run;
      const FailureMark mark;
      RunUntilCrash(fs, k, shape, &run);
      if (!mark.clean()) return;
      fs.SimulateCrash(GetParam().mode, seed);
      RecoverAndContinue(fs, run);
    });
  }

  StoreConfig config_;
  QuietLogs quiet_;
};

TEST_P(CrashPointTest, EveryIoOfTheWorkload) { SweepWorkload({}); }

// Compaction copies live records forward, seals the head and removes the oldest segment: each
// of its I/Os is a crash point too.
TEST_P(CrashPointTest, EveryIoOfACompactingWorkload) { SweepWorkload(kCompactingWorkload); }

// A second power loss while the first recovery runs (it writes the fence, removes orphans and
// creates a segment): every I/O of that open is a crash point too, for a sample of first ones.
TEST_P(CrashPointTest, EveryIoOfTheRecoveryAfterACrash) {
  const uint64_t n = CountIos();
  ASSERT_FALSE(HasFailure());
  const uint64_t stride = std::max(1, 3 / SoakFactor());
  std::vector<uint64_t> points;
  for (uint64_t k = 1; k <= n; k += stride) points.push_back(k);
  ForEachCrashPoint(points, [&](uint64_t k, uint64_t seed) {
    // Replays the first crash, then crashes the reopen at its j-th I/O (0: no second crash).
    auto replay = [&](uint64_t j, uint64_t* reopen_ios) {
      FaultFileSystem fs;
      WorkloadRun run;
      const FailureMark mark;
      RunUntilCrash(fs, k, {}, &run);
      if (!mark.clean()) return;
      fs.SimulateCrash(GetParam().mode, seed);
      const uint64_t before = fs.io_count();
      if (reopen_ios != nullptr) {
        auto opened = OpenStoreOn(fs, config_);
        ASSERT_TRUE(opened.ok()) << "reopen after the first crash: " << opened.status().ToString();
        *reopen_ios = fs.io_count() - before;
        return;
      }
      SCOPED_TRACE("second crash at I/O " + std::to_string(j) + " of the reopen");
      fs.CrashAtIo(before + j);
      auto opened = OpenStoreOn(fs, config_);
      if (opened.ok()) {
        // Only the cache mirror's I/O may fail without failing the open: the primary is the
        // truth, and a mirror that cannot be written is dropped.
        ASSERT_EQ(GetParam().policy, SyncPolicy::kDirectWriteWithCache) << "an open whose I/O failed succeeded";
        EXPECT_TRUE((*opened)->Close().ok());
      }
      fs.SimulateCrash(GetParam().mode, seed * 7919 + j);
      RecoverAndContinue(fs, run);
    };
    const FailureMark mark;
    uint64_t m = 0;
    replay(0, &m);
    if (!mark.clean()) return;
    ASSERT_GE(m, 3u) << "an open writes the fence, syncs it and creates a segment";
    for (uint64_t j = 1; j <= m && mark.clean(); ++j) replay(j, nullptr);
  });
}

// The fence file is rewritten at every open (filestore/src/fence_file.cc). A power loss during
// that write can tear it: the fault file system cuts an unsynced write at any byte, as it does
// for segments, and a file system may keep a new file's size without all of its data. The open
// that was writing it never finished, so nothing it did was acknowledged; the store must open
// again, with every acknowledged record.
class TornFenceTest : public ::testing::Test {
 protected:
  std::string FencePath() const { return std::string(kFaultDir) + "/" + UpperInstance(config_.instance()) + ".FENCE"; }

  StoreConfig config_ = FaultStoreConfig(SyncPolicy::kDirectWrite);
  QuietLogs quiet_;
};

TEST_F(TornFenceTest, PowerLossWhileTheFirstOpenWritesIt) {
  for (uint64_t seed = 1; seed <= 64; ++seed) {
    FaultFileSystem fs;
    ASSERT_TRUE(fs.AddExistingDirs(kFaultDir).ok());
    fs.CrashAtIo(2);  // I/O 1 writes the new fence file, I/O 2 would sync it
    ASSERT_FALSE(OpenStoreOn(fs, config_).ok());
    auto written = fs.Contents(FencePath());
    ASSERT_TRUE(written.ok());
    fs.SimulateCrash(CrashMode::kTearUnsynced, seed);
    auto fence = fs.Contents(FencePath());
    if (!fence.ok() || fence->empty() || *fence == *written) continue;  // not torn by this seed
    SCOPED_TRACE("seed " + std::to_string(seed) + " left " + std::to_string(fence->size()) + " bytes of the fence");
    auto reopened = OpenStoreOn(fs, config_);
    ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
    auto conn = (*reopened)->OpenConnection("after");
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    return;
  }
  FAIL() << "no seed tore the fence write";
}

TEST_F(TornFenceTest, PowerLossWhileAReopenRewritesIt) {
  for (uint64_t seed = 1; seed <= 64; ++seed) {
    FaultFileSystem fs;
    ASSERT_TRUE(fs.AddExistingDirs(kFaultDir).ok());
    WorkloadRun run = RunWorkload(fs, config_);
    ASSERT_TRUE(run.stopped.ok()) << run.stopped.ToString();
    ASSERT_TRUE(run.store->Close().ok());
    auto before = fs.Contents(FencePath());
    ASSERT_TRUE(before.ok());
    fs.CrashAtIo(fs.io_count() + 2);  // the reopen's I/O 1 rewrites the fence, I/O 2 would sync it
    ASSERT_FALSE(OpenStoreOn(fs, config_).ok());
    auto written = fs.Contents(FencePath());
    ASSERT_TRUE(written.ok());
    fs.SimulateCrash(CrashMode::kTearUnsynced, seed);
    auto after = fs.Contents(FencePath());
    ASSERT_TRUE(after.ok());
    if (*after == *before || *after == *written) continue;  // not torn by this seed
    SCOPED_TRACE("seed " + std::to_string(seed) + " tore the fence rewrite");
    auto reopened = OpenStoreOn(fs, config_);
    ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
    StoreImage recovered;
    EXPECT_TRUE(HoldsAckedState(**reopened, run, &recovered));
    return;
  }
  FAIL() << "no seed tore the fence rewrite";
}

INSTANTIATE_TEST_SUITE_P(FileStore, CrashPointTest,
                         ::testing::Values(CrashParam{SyncPolicy::kDirectWrite, CrashMode::kDropUnsynced},
                                           CrashParam{SyncPolicy::kDirectWrite, CrashMode::kTearUnsynced},
                                           CrashParam{SyncPolicy::kCacheFlush, CrashMode::kDropUnsynced},
                                           CrashParam{SyncPolicy::kCacheFlush, CrashMode::kTearUnsynced},
                                           CrashParam{SyncPolicy::kDirectWriteWithCache, CrashMode::kDropUnsynced},
                                           CrashParam{SyncPolicy::kDirectWriteWithCache, CrashMode::kTearUnsynced}),
                         ParamName);

}  // namespace
}  // namespace hastore::testing
