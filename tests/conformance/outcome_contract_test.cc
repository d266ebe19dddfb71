// The outcome contract (status.h, DESIGN §3) on every kind: a commit that fails says whether it
// is not applied (nothing of it can ever appear) or its outcome is unknown, and a reopen by a
// later owner shows that the class told the truth. The faults only some kinds have (a failed
// sync, a lost database answer, a daemon lost mid-commit) are in each kind's own tests.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <string>
#include <vector>

#include "conformance/file_store_factory.h"
#include "conformance/jdbc_store_factory.h"
#include "conformance/replicated_store_factory.h"
#include "conformance/store_factory.h"
#include "hastore/storage/guarded_store.h"

namespace hastore::testing {
namespace {

class OutcomeContractTest : public ::testing::TestWithParam<StoreKindParam> {
 protected:
  void SetUp() override { factory_ = GetParam().make(); }

  std::unique_ptr<Store> OpenAs(uint64_t epoch, const std::string& holder) {
    auto s = factory_->OpenAs(Ownership{epoch, holder});
    EXPECT_TRUE(s.ok()) << holder << " at epoch " << epoch << ": " << s.status().ToString();
    return s.ok() ? std::move(s).value() : nullptr;
  }

  // Commits one record `data` in connection "contract"; *handle gets its handle.
  static Status CommitRecord(Store& store, const std::string& data, Handle* handle) {
    auto c = store.OpenConnection("contract");
    if (!c.ok()) return c.status();
    Transaction t = store.Begin();
    auto h = t.Create(*c, data);
    if (!h.ok()) return h.status();
    *handle = *h;
    return store.Commit(std::move(t));
  }

  // What a later owner finds in connection "contract": data -> handle.
  std::map<std::string, Handle> Found(uint64_t epoch) {
    std::map<std::string, Handle> found;
    std::unique_ptr<Store> later = OpenAs(epoch, "later owner");
    if (later == nullptr) return found;
    auto c = later->OpenConnection("contract");
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    if (c.ok()) {
      EXPECT_TRUE(later->Scan(*c, [&](Handle h, std::string_view d) {
        found.emplace(std::string(d), h);
        return true;
      }).ok());
    }
    EXPECT_TRUE(later->Close().ok());
    return found;
  }

  std::unique_ptr<StoreFactory> factory_;
};

// Exactly one class for every failure, and the one a caller can act on.
void ExpectOneClass(const Status& s, const std::string& what) {
  EXPECT_FALSE(s.ok()) << what;
  EXPECT_NE(s.not_applied(), s.outcome_unknown()) << what << ": " << s.ToString();
}

TEST_P(OutcomeContractTest, ACommitTheWriteGuardRefusedIsNotAppliedAndNeverAppears) {
  std::atomic<bool> allowed{true};
  std::unique_ptr<Store> raw = OpenAs(1, "guarded owner");
  ASSERT_NE(raw, nullptr);
  std::unique_ptr<Store> store = GuardWrites(std::move(raw), [&] {
    return allowed ? Status::Ok() : Status::Fenced("the test's leases ended");
  });
  Handle before = 0, refused = 0;
  ASSERT_TRUE(CommitRecord(*store, "before", &before).ok());
  allowed = false;
  const Status s = CommitRecord(*store, "refused", &refused);
  ExpectOneClass(s, "a commit the guard refused");
  EXPECT_TRUE(s.not_applied()) << s.ToString();
  auto c = store->OpenConnection("contract");
  EXPECT_TRUE(c.status().not_applied()) << c.status().ToString();
  allowed = true;
  c = store->OpenConnection("contract");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  Transaction t = store->Begin();
  ASSERT_TRUE(t.Create(*c, "refused async").ok());
  allowed = false;
  const Status async = store->CommitFuture(std::move(t)).get();
  EXPECT_TRUE(async.not_applied()) << async.ToString();
  ASSERT_TRUE(store->Close().ok());
  store.reset();

  const std::map<std::string, Handle> found = Found(2);
  EXPECT_EQ(found.count("before"), 1u);
  EXPECT_EQ(found.count("refused"), 0u) << "a commit reported not applied appeared";
  EXPECT_EQ(found.count("refused async"), 0u) << "a commit reported not applied appeared";
}

// A newer owner takes the instance while the old one is still open. The old owner learns it on
// its first commit after (file and replicated stores write, then find the fence: unknown; a
// JDBC store's fence is checked in the commit's own database transaction: not applied), and
// refuses every later one as not applied. The next owner finds none of the commits that were
// reported not applied, and every acknowledged one.
TEST_P(OutcomeContractTest, AfterATakeoverNothingReportedNotAppliedAppears) {
  std::unique_ptr<Store> a = OpenAs(1, "A");
  ASSERT_NE(a, nullptr);
  Handle h = 0;
  ASSERT_TRUE(CommitRecord(*a, "A before", &h).ok());
  std::unique_ptr<Store> b = OpenAs(2, "B");
  ASSERT_NE(b, nullptr);

  std::map<std::string, Status> failed;  // A's commits after the takeover
  for (int i = 0; i < 4; ++i) {
    const std::string data = "A after " + std::to_string(i);
    const Status s = CommitRecord(*a, data, &h);
    ExpectOneClass(s, "A's commit " + std::to_string(i) + " after the takeover");
    if (i > 0) {
      EXPECT_TRUE(s.not_applied()) << "A knew it was fenced: " << s.ToString();
    }
    failed.emplace(data, s);
  }
  ASSERT_TRUE(CommitRecord(*b, "B", &h).ok());
  ASSERT_TRUE(a->Close().ok());
  ASSERT_TRUE(b->Close().ok());
  a.reset();
  b.reset();

  const std::map<std::string, Handle> found = Found(3);
  EXPECT_EQ(found.count("A before"), 1u);
  EXPECT_EQ(found.count("B"), 1u);
  for (const auto& [data, s] : failed) {
    if (s.not_applied()) {
      EXPECT_EQ(found.count(data), 0u) << "'" << data << "' appeared after " << s.ToString();
    }
  }
}

TEST_P(OutcomeContractTest, AClosedStoreRefusesAsNotApplied) {
  std::unique_ptr<Store> store = OpenAs(1, "closing owner");
  ASSERT_NE(store, nullptr);
  Handle h = 0;
  ASSERT_TRUE(CommitRecord(*store, "kept", &h).ok());
  auto c = store->OpenConnection("contract");
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(store->Close().ok());
  Transaction t = store->Begin();
  ASSERT_TRUE(t.Update(h, "changed after close").ok());
  const Status s = store->Commit(std::move(t));
  ExpectOneClass(s, "a commit to a closed store");
  EXPECT_TRUE(s.not_applied()) << s.ToString();
  store.reset();
  EXPECT_EQ(Found(2).count("kept"), 1u);
}

INSTANTIATE_TEST_SUITE_P(FileStore, OutcomeContractTest, ::testing::ValuesIn(FileStoreKinds()),
                         [](const auto& info) { return info.param.name; });
INSTANTIATE_TEST_SUITE_P(JdbcStore, OutcomeContractTest, ::testing::ValuesIn(JdbcStoreKinds()),
                         [](const auto& info) { return info.param.name; });
INSTANTIATE_TEST_SUITE_P(ReplicatedStore, OutcomeContractTest, ::testing::ValuesIn(ReplicatedStoreKinds()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace hastore::testing
