// Compaction under faults. Its crash points and failed syncs are swept by crash_point_test.cc
// and failed_sync_test.cc (the compacting workload); what is here is the bound on its work.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "filestore/fault_workload.h"

namespace hastore::testing {
namespace {

// CompactFileStore(force) is "one round of online compaction" (file_store.h): it must finish
// even when the live records fill more than one segment. Each forced pass moves the oldest
// segment's live records to the head, which then needs a new segment of its own, so a loop
// that runs "while two segments remain" never ends. The compaction runs in a thread; if it has
// done twenty times the I/O of writing the data (or 20 s passed), the store is closed, which
// makes its next move fail and the thread return.
TEST(CompactionTest, ForcedCompactionFinishesWhenTheLiveRecordsFillSeveralSegments) {
  QuietLogs quiet;
  FaultFileSystem fs;
  ASSERT_TRUE(fs.AddExistingDirs(kFaultDir).ok());
  const StoreConfig config = FaultStoreConfig(SyncPolicy::kDirectWrite);
  WorkloadRun run = RunWorkload(fs, config);
  ASSERT_TRUE(run.stopped.ok()) << run.stopped.ToString();
  ASSERT_GT(run.store->Stats().record_bytes, 2u << 20) << "test setup: live records of more than two segments";
  const uint64_t written = fs.io_count();

  std::atomic<bool> done{false};
  Result<uint32_t> result = Status::Failed("not run");
  std::thread compaction([&] {
    result = CompactFileStore(*run.store, true);
    done = true;
  });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!done && fs.io_count() - written < 20 * written && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  const bool finished = done;
  const uint64_t ios = fs.io_count() - written;
  if (!finished) (void)run.store->Close();
  compaction.join();
  ASSERT_TRUE(finished) << "CompactFileStore(force) was still running after " << ios
                        << " I/Os, twenty times those of writing every record (" << written << ")";
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_GT(*result, 0u);
  StoreImage got;
  ASSERT_TRUE(ReadImage(*run.store, run.handles, &got));
  EXPECT_EQ(got, run.acked) << DescribeDifference(run.acked, got);
  ASSERT_TRUE(run.store->Close().ok());
  auto reopened = OpenStoreOn(fs, config);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  ASSERT_TRUE(ReadImage(**reopened, run.handles, &got));
  EXPECT_EQ(got, run.acked) << DescribeDifference(run.acked, got);
}

}  // namespace
}  // namespace hastore::testing
