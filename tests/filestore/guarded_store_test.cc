// GuardWrites (storage/include/hastore/storage/guarded_store.h) around a real file store: a
// write the guard refuses changes nothing; a commit during which the guard stopped allowing
// writes is durable but reported `fenced`, never OK; Health reports the refusal; reads, scans
// and handles go through; writes resume when the guard allows them again.
#include "hastore/storage/guarded_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <map>

#include "common/temp_dir.h"
#include "hastore/filestore/file_store.h"

namespace hastore::testing {
namespace {

class GuardedStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_.name = "guarded";
    config_.file.directory = dir_.path();
    auto store = OpenFileStore(config_, Ownership{0, "guarded store test"}, FileStoreOptions{.background_compaction = false});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = GuardWrites(std::move(store).value(), [this] {
      int left = answers_left_.load();
      while (left > 0 && !answers_left_.compare_exchange_weak(left, left - 1)) {
      }
      if (allowed_.load() && left != 0) return Status::Ok();
      return Status::Fenced("the test's leases ended");
    });
  }
  void TearDown() override {
    if (store_) {
      EXPECT_TRUE(store_->Close().ok());
    }
  }
  // Reads every record of a fresh open of the directory, by handle.
  std::map<Handle, std::string> Reopened() {
    EXPECT_TRUE(store_->Close().ok());
    store_.reset();
    auto store = OpenFileStore(config_, Ownership{}, FileStoreOptions{.read_only = true});
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    std::map<Handle, std::string> out;
    if (!store.ok()) return out;
    for (const Connection& c : (*store)->Connections()) {
      EXPECT_TRUE((*store)->Scan(c, [&](Handle h, std::string_view d) {
                             out.emplace(h, std::string(d));
                             return true;
                           }).ok());
    }
    EXPECT_TRUE((*store)->Close().ok());
    return out;
  }

  TempDir dir_;
  StoreConfig config_;
  std::atomic<bool> allowed_{true};
  std::atomic<int> answers_left_{-1};  // yes this many more times (-1: no limit)
  std::unique_ptr<Store> store_;
};

TEST_F(GuardedStoreTest, ARefusedWriteChangesNothingAndWritesResumeWhenAllowed) {
  auto c = store_->OpenConnection("q");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  Transaction t = store_->Begin();
  auto kept = t.Create(*c, "before");
  ASSERT_TRUE(kept.ok());
  ASSERT_TRUE(store_->Commit(std::move(t)).ok());
  EXPECT_TRUE(store_->Health().ok());

  allowed_ = false;
  t = store_->Begin();
  ASSERT_TRUE(t.Create(*c, "refused").ok());
  ASSERT_TRUE(t.Update(*kept, "refused update").ok());
  Status s = store_->Commit(std::move(t));
  EXPECT_EQ(s.code(), StatusCode::kNotApplied) << s.ToString();  // refused before anything was sent
  EXPECT_TRUE(s.not_applied());
  EXPECT_NE(s.message().find("the test's leases ended"), std::string::npos) << s.ToString();
  t = store_->Begin();
  ASSERT_TRUE(t.Remove(*kept).ok());
  EXPECT_EQ(store_->CommitFuture(std::move(t)).get().code(), StatusCode::kNotApplied);
  EXPECT_EQ(store_->OpenConnection("new name").status().code(), StatusCode::kNotApplied);
  EXPECT_EQ(store_->Health().code(), StatusCode::kFenced);
  // Reads go on.
  auto read = store_->Read(*kept);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(*read, "before");

  allowed_ = true;
  EXPECT_TRUE(store_->Health().ok());
  t = store_->Begin();
  auto after = t.Create(*c, "after");
  ASSERT_TRUE(after.ok());
  ASSERT_TRUE(store_->Commit(std::move(t)).ok());
  EXPECT_EQ(Reopened(), (std::map<Handle, std::string>{{*kept, "before"}, {*after, "after"}}))
      << "a refused write reached the store";
}

// The guard answers yes when the commit is sent and no when it is durable: the commit is
// stored, but its success is never reported.
TEST_F(GuardedStoreTest, ACommitThatOutlivedTheGuardIsReportedFencedNotOk) {
  auto c = store_->OpenConnection("q");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  for (const bool async : {false, true}) {
    SCOPED_TRACE(async ? "CommitAsync" : "Commit");
    Transaction t = store_->Begin();
    auto h = t.Create(*c, async ? "async" : "sync");
    ASSERT_TRUE(h.ok());
    answers_left_ = 1;  // yes when it is sent, no when it is durable
    Status s = async ? store_->CommitFuture(std::move(t)).get() : store_->Commit(std::move(t));
    EXPECT_EQ(s.code(), StatusCode::kFenced) << s.ToString();
    EXPECT_TRUE(s.outcome_unknown());
    EXPECT_NE(s.message().find("the test's leases ended"), std::string::npos) << s.ToString();
    EXPECT_NE(s.message().find("outcome is unknown"), std::string::npos) << s.ToString();
    // It was stored all the same.
    answers_left_ = -1;
    auto read = store_->Read(*h);
    ASSERT_TRUE(read.ok()) << read.status().ToString();
    EXPECT_EQ(*read, async ? "async" : "sync");
  }
}

}  // namespace
}  // namespace hastore::testing
