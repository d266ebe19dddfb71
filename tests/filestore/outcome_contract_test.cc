// The outcome contract (status.h) under the file store's own faults, on the fault file system:
// a commit whose write or sync failed is `unknown` (and may indeed be there after a reopen,
// which is why it must never be called "not applied"); every commit after the failure is
// refused before anything is written, `not applied`, and never appears, whatever the crash.
#include <gtest/gtest.h>

#include <optional>

#include "filestore/fault_workload.h"

namespace hastore::testing {
namespace {

using CrashMode = FaultFileSystem::CrashMode;

class FileOutcomeContractTest : public ::testing::TestWithParam<SyncPolicy> {
 protected:
  void SetUp() override {
    config_ = FaultStoreConfig(GetParam());
    ASSERT_TRUE(fs_.AddExistingDirs(kFaultDir).ok());
    run_ = RunWorkload(fs_, config_, WorkloadShape{6});
    ASSERT_TRUE(run_.stopped.ok()) << run_.stopped.ToString();
  }

  Status Commit(const std::string& data, Handle* handle) {
    auto c = run_.store->OpenConnection("contract");
    if (!c.ok()) return c.status();
    Transaction t = run_.store->Begin();
    auto h = t.Create(*c, data);
    if (!h.ok()) return h.status();
    *handle = *h;
    return run_.store->Commit(std::move(t));
  }

  // Closes the store, optionally loses power, reopens, and reads `handle`: its data, or "" when
  // it is not there.
  std::string ReopenAndRead(Handle handle, std::optional<CrashMode> crash, uint64_t seed = 0) {
    (void)run_.store->Close();
    run_.store.reset();
    if (crash) fs_.SimulateCrash(*crash, seed);
    auto reopened = OpenStoreOn(fs_, config_);
    EXPECT_TRUE(reopened.ok()) << reopened.status().ToString();
    if (!reopened.ok()) return "";
    auto read = (*reopened)->Read(handle);
    EXPECT_TRUE(read.ok() || read.status().code() == StatusCode::kNotFound) << read.status().ToString();
    return read.ok() ? *read : "";
  }

  FaultFileSystem fs_;
  StoreConfig config_;
  WorkloadRun run_;
  QuietLogs quiet_;
};

TEST_P(FileOutcomeContractTest, ACommitWhoseSyncFailedIsUnknownAndIsThereAfterAPlainReopen) {
  // Opening the connection first, so that the next sync is the commit's own.
  ASSERT_TRUE(run_.store->OpenConnection("contract").ok());
  fs_.FailSyncAt(fs_.sync_count() + 1);
  Handle h = 0;
  const Status s = Commit("sync failed", &h);
  EXPECT_EQ(s.code(), StatusCode::kFailed) << s.ToString();
  EXPECT_TRUE(s.outcome_unknown()) << s.ToString();
  EXPECT_FALSE(s.not_applied());
  // The bytes reached the file; nothing took them away: "not applied" would have been a lie.
  EXPECT_EQ(ReopenAndRead(h, std::nullopt), "sync failed");
}

TEST_P(FileOutcomeContractTest, ACommitWhoseWriteFailedIsUnknown) {
  ASSERT_TRUE(run_.store->OpenConnection("contract").ok());
  fs_.CrashAtIo(fs_.io_count() + 1);  // the batch's write
  Handle h = 0;
  const Status s = Commit("write failed", &h);
  EXPECT_EQ(s.code(), StatusCode::kFailed) << s.ToString();
  EXPECT_TRUE(s.outcome_unknown()) << s.ToString();
}

TEST_P(FileOutcomeContractTest, EveryCommitAfterAFailureIsNotAppliedAndNeverAppears) {
  ASSERT_TRUE(run_.store->OpenConnection("contract").ok());
  fs_.FailSyncAt(fs_.sync_count() + 1);
  Handle failed = 0;
  ASSERT_EQ(Commit("sync failed", &failed).code(), StatusCode::kFailed);
  for (int i = 0; i < 3; ++i) {
    Handle h = 0;
    const Status s = Commit("after the failure " + std::to_string(i), &h);
    EXPECT_EQ(s.code(), StatusCode::kNotApplied) << s.ToString();
    EXPECT_TRUE(s.not_applied());
    EXPECT_NE(s.message().find("failed"), std::string::npos) << "the refusal says why: " << s.ToString();
    if (i == 2) {
      EXPECT_EQ(ReopenAndRead(h, std::nullopt), "") << "a commit reported not applied appeared";
    }
  }
}

TEST_P(FileOutcomeContractTest, ANotAppliedCommitIsAbsentWhateverThePowerLossKeeps) {
  ASSERT_TRUE(run_.store->OpenConnection("contract").ok());
  fs_.FailSyncAt(fs_.sync_count() + 1);
  Handle failed = 0, refused = 0;
  ASSERT_EQ(Commit("sync failed", &failed).code(), StatusCode::kFailed);
  ASSERT_TRUE(Commit("refused", &refused).not_applied());
  EXPECT_EQ(ReopenAndRead(refused, CrashMode::kTearUnsynced, 7), "");
}

INSTANTIATE_TEST_SUITE_P(Policies, FileOutcomeContractTest,
                         ::testing::Values(SyncPolicy::kDirectWrite, SyncPolicy::kCacheFlush),
                         PolicyTestName);

}  // namespace
}  // namespace hastore::testing
