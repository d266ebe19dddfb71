// Group commit in the JDBC store (jdbcstore/FORMAT.md, "Commits"), on SQLite and PostgreSQL:
// concurrent commits share database transactions (fewer transactions than commits), and with
// several workers, commits that touch one record still land in the order they were made.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "test_table.h"

namespace hastore::testing {
namespace {

class GroupCommitTest : public ::testing::TestWithParam<TestDatabase> {};

// The record's bytes, or the error that kept them.
std::string ReadOrError(const Store& store, Handle handle) {
  Result<std::string> r = store.Read(handle);
  return r.ok() ? *r : r.status().ToString();
}

// If every commit were a transaction of its own, `batches` would equal `commits`.
TEST_P(GroupCommitTest, ConcurrentCommitsShareTransactions) {
  TestTable table(GetParam(), "group");
  auto store = table.Open();
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto conn = (*store)->OpenConnection("c");
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  const StoreStats before = (*store)->Stats();

  constexpr int kWriters = 64;
  constexpr int kEach = 20;
  std::atomic<int> ready{0}, failures{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      ++ready;
      while (ready.load() < kWriters) std::this_thread::yield();  // all start together
      for (int i = 0; i < kEach; ++i) {
        std::vector<Handle> handles;
        if (!CommitCreates(**store, *conn, {std::to_string(w) + ":" + std::to_string(i)}, &handles).ok()) ++failures;
      }
    });
  }
  for (std::thread& t : writers) t.join();
  ASSERT_EQ(failures.load(), 0);

  const StoreStats after = (*store)->Stats();
  const uint64_t commits = after.commits - before.commits;
  const uint64_t transactions = after.batches - before.batches;
  EXPECT_EQ(commits, static_cast<uint64_t>(kWriters * kEach));
  EXPECT_LT(transactions, commits) << "no two of " << commits << " concurrent commits shared a transaction";
  std::cout << commits << " commits in " << transactions << " database transactions\n";
  EXPECT_EQ(ScanAll(**store, *conn).size(), static_cast<size_t>(kWriters * kEach));
  ASSERT_TRUE((*store)->Close().ok());
}

// Asynchronous updates of one record, made one after another without waiting, on four
// workers: each waits for the one before it, so the last made is the one stored.
TEST_P(GroupCommitTest, UpdatesOfOneRecordLandInTheOrderMadeAcrossWorkers) {
  TestTable table(GetParam(), "order");
  table.config().jdbc.worker_count = 4;
  auto store = table.Open();
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto conn = (*store)->OpenConnection("c");
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  std::vector<Handle> handles;
  ASSERT_TRUE(CommitCreates(**store, *conn, {"v0", "w0"}, &handles).ok());

  // Other writers keep the workers busy meanwhile, so the updates spread over them.
  std::atomic<bool> done{false};
  std::vector<std::thread> others;
  for (int w = 0; w < 8; ++w) {
    others.emplace_back([&, w] {
      for (int i = 0; !done.load(); ++i) {
        std::vector<Handle> h;
        (void)CommitCreates(**store, *conn, {"other-" + std::to_string(w) + "-" + std::to_string(i)}, &h);
      }
    });
  }
  constexpr int kUpdates = 300;
  std::vector<std::future<Status>> outcomes;
  for (int i = 1; i <= kUpdates; ++i) {
    Transaction txn = (*store)->Begin();
    ASSERT_TRUE(txn.Update(handles[0], "v" + std::to_string(i)).ok());
    if (i % 3 == 0) {  // two records in one
      ASSERT_TRUE(txn.Update(handles[1], "w" + std::to_string(i)).ok());
    }
    outcomes.push_back((*store)->CommitFuture(std::move(txn)));
  }
  for (std::future<Status>& f : outcomes) {
    Status s = f.get();
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  done = true;
  for (std::thread& t : others) t.join();

  const std::string last_v = "v" + std::to_string(kUpdates), last_w = "w" + std::to_string(kUpdates);
  EXPECT_EQ(ReadOrError(**store, handles[0]), last_v);
  EXPECT_EQ(ReadOrError(**store, handles[1]), last_w);
  ASSERT_TRUE((*store)->Close().ok());
  auto reopened = table.OpenReadOnly();
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  EXPECT_EQ(ReadOrError(**reopened, handles[0]), last_v) << "the table holds an update made earlier";
  EXPECT_EQ(ReadOrError(**reopened, handles[1]), last_w) << "the table holds an update made earlier";
  ASSERT_TRUE((*reopened)->Close().ok());
}

INSTANTIATE_TEST_SUITE_P(Databases, GroupCommitTest, ::testing::ValuesIn(kBothDatabases), DatabaseName);

}  // namespace
}  // namespace hastore::testing
