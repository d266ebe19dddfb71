// Group commit: concurrent commits share batches, and a batch gathers at most
// file.io_buffer_size bytes (a larger transaction still goes, alone).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <string>
#include <vector>

#include "common/temp_dir.h"
#include "hastore/filestore/file_store.h"
#include "hastore/filestore/inspect.h"

namespace hastore::testing {
namespace {

constexpr uint64_t kBatchHeaderBytes = 64;   // filestore/FORMAT.md
constexpr uint64_t kRecordHeaderBytes = 48;

// The data sizes of the records of each batch of the log: records that follow each other
// directly share a batch.
std::vector<std::vector<size_t>> Batches(const std::string& dir, const std::string& instance) {
  std::vector<std::vector<size_t>> batches;
  std::string segment;
  uint64_t next = 0;
  auto ins = InspectFileStore(dir, instance, nullptr, [&](const StoredRecord& r) {
    if (r.segment != segment || r.offset != next) batches.emplace_back();
    segment = r.segment;
    next = r.offset + kRecordHeaderBytes + r.data.size();
    batches.back().push_back(r.data.size());
  });
  EXPECT_TRUE(ins.ok()) << ins.status().ToString();
  return batches;
}

TEST(GroupCommit, ABatchGathersAtMostTheIoBufferSize) {
  TempDir dir;
  StoreConfig config;
  config.name = "grouped";
  config.file.directory = dir.path();
  config.file.io_buffer_size = 8192;
  auto store = OpenFileStore(config, Ownership{0, "group commit test"}, FileStoreOptions{.background_compaction = false});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto conn = (*store)->OpenConnection("c");
  ASSERT_TRUE(conn.ok());

  constexpr int kCommits = 256;
  std::atomic<int> done{0};
  std::atomic<int> failed{0};
  for (int i = 0; i < kCommits; ++i) {  // queued faster than one sync: they would share batches
    Transaction txn = (*store)->Begin();
    ASSERT_TRUE(txn.Create(*conn, std::string(1000, 'x')).ok());
    (*store)->CommitAsync(std::move(txn), [&](Status s) {
      if (!s.ok()) failed.fetch_add(1);
      done.fetch_add(1);
    });
  }
  Transaction big = (*store)->Begin();
  ASSERT_TRUE(big.Create(*conn, std::string(20000, 'y')).ok());  // over the buffer: goes alone
  ASSERT_TRUE((*store)->Commit(std::move(big)).ok());
  for (int spins = 0; done.load() < kCommits && spins < 60000; ++spins) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  ASSERT_EQ(done.load(), kCommits);
  EXPECT_EQ(failed.load(), 0);
  ASSERT_TRUE((*store)->Close().ok());

  int shared = 0, with_big = 0;
  for (const std::vector<size_t>& batch : Batches(dir.path(), config.instance())) {
    uint64_t bytes = kBatchHeaderBytes;
    for (size_t size : batch) bytes += kRecordHeaderBytes + size;
    if (std::count(batch.begin(), batch.end(), 20000u) > 0) {
      ++with_big;
      EXPECT_EQ(batch.size(), 1u) << "the transaction over the buffer shares its batch";
      continue;
    }
    EXPECT_LE(bytes, 8192u) << "a batch of " << batch.size() << " records";
    if (batch.size() >= 2) ++shared;
  }
  EXPECT_EQ(with_big, 1);
  EXPECT_GT(shared, 0) << "no batch held two commits: group commit did not group";
}

}  // namespace
}  // namespace hastore::testing
