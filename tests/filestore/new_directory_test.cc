// A store that creates its own directory makes that directory durable (DESIGN §5): after a
// power loss at any I/O of an open-and-commit workload in a directory that did not exist, every
// acknowledged transaction is there. The store used to sync only its own directory, never the
// parents holding the directories it made, so a power loss took the whole store away.
#include <gtest/gtest.h>

#include "filestore/fault_workload.h"

namespace hastore::testing {
namespace {

using CrashMode = FaultFileSystem::CrashMode;

constexpr char kNewDir[] = "/var/new/store";  // none of it exists before the open
constexpr int kTransactions = 4;

StoreConfig NewDirConfig(SyncPolicy policy) {
  StoreConfig config = FaultStoreConfig(policy);
  config.file.directory = kNewDir;
  return config;
}

class NewDirectoryTest : public ::testing::TestWithParam<SyncPolicy> {
 protected:
  QuietLogs quiet_;  // every crash point logs the failure it expects
};

TEST_P(NewDirectoryTest, AcknowledgedCommitsSurviveAPowerLossAfterTheOpenMadeTheDirectory) {
  FaultFileSystem fs;
  const StoreConfig config = NewDirConfig(GetParam());
  WorkloadRun run = RunWorkload(fs, config, WorkloadShape{kTransactions});
  ASSERT_TRUE(run.stopped.ok()) << run.stopped.ToString();
  run.store.reset();  // no Close: the process is gone
  fs.SimulateCrash(CrashMode::kDropUnsynced);
  ASSERT_TRUE(fs.Exists(kNewDir)) << "the power loss took the store's directory";
  auto reopened = OpenStoreOn(fs, config);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  StoreImage recovered;
  EXPECT_TRUE(HoldsAckedState(**reopened, run, &recovered));
}

TEST_P(NewDirectoryTest, APowerLossAtEveryIoOfTheFirstOpenKeepsWhatWasAcknowledged) {
  uint64_t ios = 0;
  {
    FaultFileSystem fs;
    WorkloadRun run = RunWorkload(fs, NewDirConfig(GetParam()), WorkloadShape{kTransactions});
    ASSERT_TRUE(run.stopped.ok()) << run.stopped.ToString();
    ios = fs.io_count();
  }
  for (uint64_t k = 1; k <= ios; ++k) {
    FailureMark mark;
    FaultFileSystem fs;
    const StoreConfig config = NewDirConfig(GetParam());
    fs.CrashAtIo(k);
    WorkloadRun run = RunWorkload(fs, config, WorkloadShape{kTransactions});
    run.store.reset();
    fs.SimulateCrash(CrashMode::kDropUnsynced, k);
    auto reopened = OpenStoreOn(fs, config);
    ASSERT_TRUE(reopened.ok()) << "crash at I/O " << k << ": " << reopened.status().ToString();
    StoreImage recovered;
    EXPECT_TRUE(HoldsAckedState(**reopened, run, &recovered)) << "crash at I/O " << k << " of " << ios;
    if (!mark.clean()) break;  // one failing point says enough
  }
}

INSTANTIATE_TEST_SUITE_P(Policies, NewDirectoryTest,
                         ::testing::Values(SyncPolicy::kDirectWrite, SyncPolicy::kCacheFlush),
                         PolicyTestName);

}  // namespace
}  // namespace hastore::testing
