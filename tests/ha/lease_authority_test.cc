// The rules of lease_authority.h, run on every kind of authority: local (LMDB, manual clock) and
// database (SQLite and PostgreSQL, the database's clock).
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <latch>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "authority_world.h"
#include "database_world.h"

namespace hastore::ha {
namespace {

using testing::AuthorityWorld;

// Short enough that the real-clock worlds sleep little, long enough that a loaded machine's
// round trips stay well inside them.
constexpr uint64_t kTtl = 1500;
constexpr uint64_t kGrace = 600;

LeaseHolder Server(const std::string& name, const std::string& session = "s1") { return {name, name + "/" + session}; }

struct WorldKind {
  std::string name;
  std::function<std::unique_ptr<AuthorityWorld>()> make;
};

class LeaseAuthorityTest : public ::testing::TestWithParam<WorldKind> {
 protected:
  void SetUp() override {
    world_ = GetParam().make();
    a_ = OpenOne();
    b_ = OpenOne();
  }
  std::unique_ptr<LeaseAuthority> OpenOne() {
    Result<std::unique_ptr<LeaseAuthority>> opened = world_->Open();
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    return opened.ok() ? std::move(*opened) : nullptr;
  }
  Lease MustAcquire(LeaseAuthority& at, const std::string& name, const LeaseHolder& holder, uint64_t ttl = kTtl) {
    Result<Lease> lease = at.Acquire(name, holder, ttl, kGrace);
    EXPECT_TRUE(lease.ok()) << lease.status().ToString();
    return lease.ok() ? *lease : Lease{};
  }
  LeaseView MustFind(LeaseAuthority& at, const std::string& name) {
    Result<std::optional<LeaseView>> view = at.Find(name);
    EXPECT_TRUE(view.ok() && view->has_value()) << (view.ok() ? "no lease " + name : view.status().ToString());
    return view.ok() && *view ? **view : LeaseView{};
  }

  std::unique_ptr<AuthorityWorld> world_;
  std::unique_ptr<LeaseAuthority> a_, b_;
};

TEST_P(LeaseAuthorityTest, AFreeLeaseIsTakenAtEpochOneAndSeenByEveryHandle) {
  ASSERT_TRUE(a_ && b_);
  const Lease lease = MustAcquire(*a_, "instance.orders@ms1", Server("ms1"));
  EXPECT_EQ(lease.epoch, 1u);
  EXPECT_EQ(lease.holder.server, "ms1");
  const LeaseView seen = MustFind(*b_, "instance.orders@ms1");
  EXPECT_TRUE(seen.held());
  EXPECT_EQ(seen.holder.server, "ms1");
  EXPECT_EQ(seen.holder.session, "ms1/s1");
  EXPECT_EQ(seen.epoch, 1u);
  EXPECT_GT(seen.remaining_ms, 0);
  EXPECT_LE(seen.remaining_ms, static_cast<int64_t>(kTtl));
  Result<std::optional<LeaseView>> missing = b_->Find("instance.never");
  ASSERT_TRUE(missing.ok()) << missing.status().ToString();
  EXPECT_FALSE(missing->has_value());
}

TEST_P(LeaseAuthorityTest, ALiveLeaseOfAnotherSessionIsRefusedNamingItsHolder) {
  ASSERT_TRUE(a_ && b_);
  MustAcquire(*a_, "master", Server("ms1"));
  for (const LeaseHolder& other : {Server("ms2"), Server("ms1", "restarted")}) {
    Result<Lease> refused = b_->Acquire("master", other, kTtl, kGrace);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.status().code(), StatusCode::kLocked);
    EXPECT_NE(refused.status().message().find("master"), std::string::npos) << refused.status().message();
    EXPECT_NE(refused.status().message().find("ms1"), std::string::npos) << refused.status().message();
  }
  EXPECT_EQ(MustFind(*a_, "master").epoch, 1u);
}

TEST_P(LeaseAuthorityTest, TheSameSessionAcquiringAgainKeepsItsEpoch) {
  ASSERT_TRUE(a_ && b_);
  const Lease first = MustAcquire(*a_, "server.ms1", Server("ms1"));
  const Lease again = MustAcquire(*b_, "server.ms1", Server("ms1"));
  EXPECT_EQ(again.epoch, first.epoch);
}

TEST_P(LeaseAuthorityTest, AnExpiredLeaseStaysUntouchableForTheGracePeriodThenGoesWithANewEpoch) {
  ASSERT_TRUE(a_ && b_);
  MustAcquire(*a_, "instance.x", Server("ms1"), 200);
  world_->Advance(200 + kGrace / 4);
  Result<Lease> early = b_->Acquire("instance.x", Server("ms2"), kTtl, kGrace);
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.status().code(), StatusCode::kLocked) << early.status().ToString();
  EXPECT_FALSE(MustFind(*b_, "instance.x").held());
  world_->Advance(kGrace);
  const Lease taken = MustAcquire(*b_, "instance.x", Server("ms2"));
  EXPECT_EQ(taken.epoch, 2u);
  EXPECT_EQ(MustFind(*a_, "instance.x").holder.server, "ms2");
}

TEST_P(LeaseAuthorityTest, ReleaseKeepsTheEpochAndTheNextOwnerGetsTheNextOne) {
  ASSERT_TRUE(a_ && b_);
  const Lease lease = MustAcquire(*a_, "instance.y", Server("ms1"));
  ASSERT_TRUE(a_->Release(lease).ok());
  const LeaseView released = MustFind(*b_, "instance.y");
  EXPECT_FALSE(released.held());
  EXPECT_TRUE(released.holder.server.empty());
  EXPECT_EQ(released.epoch, 1u);
  const Lease next = MustAcquire(*b_, "instance.y", Server("ms2"));
  EXPECT_EQ(next.epoch, 2u);
  // Releasing a lease that is no longer ours changes nothing and is not an error.
  EXPECT_TRUE(a_->Release(lease).ok());
  EXPECT_EQ(MustFind(*b_, "instance.y").holder.server, "ms2");
  // Nor does it matter who asks: a released then re-acquired lease by the same session bumps.
  ASSERT_TRUE(b_->Release(next).ok());
  EXPECT_EQ(MustAcquire(*b_, "instance.y", Server("ms2")).epoch, 3u);
}

TEST_P(LeaseAuthorityTest, RenewAllExtendsExactlyTheLiveLeasesOfTheSession) {
  ASSERT_TRUE(a_ && b_);
  // Renewed for a minute, so on the real-clock worlds only b1, left at kTtl, can have run out
  // when we look: no margin of the test's own sleeps is at stake.
  constexpr uint64_t kRenewedTtl = 60000;
  MustAcquire(*a_, "instance.a1", Server("ms1"));
  MustAcquire(*a_, "instance.a2", Server("ms1"));
  MustAcquire(*b_, "instance.b1", Server("ms2"));
  world_->Advance(kTtl / 2);
  Result<std::vector<Lease>> renewed = a_->RenewAll(Server("ms1"), kRenewedTtl);
  ASSERT_TRUE(renewed.ok()) << renewed.status().ToString();
  std::set<std::string> names;
  for (const Lease& l : *renewed) {
    names.insert(l.name);
    EXPECT_EQ(l.epoch, 1u);
  }
  EXPECT_EQ(names, (std::set<std::string>{"instance.a1", "instance.a2"}));
  world_->Advance(kTtl * 3 / 4);
  EXPECT_TRUE(MustFind(*b_, "instance.a1").held());
  EXPECT_TRUE(MustFind(*b_, "instance.a2").held());
  EXPECT_FALSE(MustFind(*a_, "instance.b1").held());
}

TEST_P(LeaseAuthorityTest, AnExpiredLeaseIsNotRevivedByRenewal) {
  ASSERT_TRUE(a_ && b_);
  MustAcquire(*a_, "instance.z", Server("ms1"), 200);
  world_->Advance(400);
  Result<std::vector<Lease>> renewed = a_->RenewAll(Server("ms1"), kTtl);
  ASSERT_TRUE(renewed.ok()) << renewed.status().ToString();
  EXPECT_TRUE(renewed->empty());
  EXPECT_FALSE(MustFind(*b_, "instance.z").held());
  // Its holder takes it again under a new epoch: whatever the old epoch still does is fenced.
  EXPECT_EQ(MustAcquire(*a_, "instance.z", Server("ms1")).epoch, 2u);
}

TEST_P(LeaseAuthorityTest, GuardedRecordsAreWrittenOnlyWhileTheGuardIsHeld) {
  ASSERT_TRUE(a_ && b_);
  const Lease master = MustAcquire(*a_, "master", Server("ms1"), 300);
  ASSERT_TRUE(a_->PutRecord(&master, "plan.orders@ms1", "ms1").ok());
  ASSERT_TRUE(a_->PutRecord(&master, "plan.orders@ms2", "ms2").ok());
  ASSERT_TRUE(b_->PutRecord(nullptr, "request.migrate.orders@ms1", "ms2 'quoted'; -- ünïcode").ok());
  Result<std::optional<std::string>> got = b_->GetRecord("plan.orders@ms1");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ(**got, "ms1");
  got = a_->GetRecord("request.migrate.orders@ms1");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ(**got, "ms2 'quoted'; -- ünïcode");

  world_->Advance(300 + kGrace + 100);
  const Lease next = MustAcquire(*b_, "master", Server("ms2"));
  EXPECT_EQ(next.epoch, 2u);
  Status stale = a_->PutRecord(&master, "plan.orders@ms1", "ms9");
  EXPECT_EQ(stale.code(), StatusCode::kFenced) << stale.ToString();
  EXPECT_NE(stale.message().find("master"), std::string::npos) << stale.message();
  EXPECT_EQ(a_->EraseRecord(&master, "plan.orders@ms2").code(), StatusCode::kFenced);

  ASSERT_TRUE(b_->PutRecord(&next, "plan.orders@ms1", "ms2").ok());
  ASSERT_TRUE(b_->EraseRecord(&next, "plan.orders@ms2").ok());
  Result<std::vector<ClusterRecord>> plan = a_->ListRecords("plan.");
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  ASSERT_EQ(plan->size(), 1u);
  EXPECT_EQ((*plan)[0].key, "plan.orders@ms1");
  EXPECT_EQ((*plan)[0].value, "ms2");
}

TEST_P(LeaseAuthorityTest, ListGivesTheLeasesOfAPrefixInNameOrder) {
  ASSERT_TRUE(a_ && b_);
  MustAcquire(*a_, "server.ms2", Server("ms2"));
  MustAcquire(*a_, "instance.q@ms1", Server("ms1"));
  MustAcquire(*b_, "server.ms1", Server("ms1"));
  MustAcquire(*b_, "server-not", Server("ms1"));
  Result<std::vector<LeaseView>> servers = a_->List("server.");
  ASSERT_TRUE(servers.ok()) << servers.status().ToString();
  ASSERT_EQ(servers->size(), 2u);
  EXPECT_EQ((*servers)[0].name, "server.ms1");
  EXPECT_EQ((*servers)[1].name, "server.ms2");
  Result<std::vector<LeaseView>> all = a_->List("");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 4u);
}

TEST_P(LeaseAuthorityTest, ThingsThatAreNotNamesAreRefused) {
  ASSERT_TRUE(a_);
  EXPECT_EQ(a_->Acquire("", Server("ms1"), kTtl, kGrace).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(a_->Acquire("x", LeaseHolder{"", "s"}, kTtl, kGrace).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(a_->Acquire("x", LeaseHolder{"ms 1", "s"}, kTtl, kGrace).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(a_->Acquire("x", LeaseHolder{"ms1", ""}, kTtl, kGrace).status().code(), StatusCode::kInvalidArgument);
  // Lease names are data: quotes and the like travel as they are.
  const Lease odd = MustAcquire(*a_, "instance.o'; DROP TABLE x; --\"ü", Server("ms1"));
  EXPECT_EQ(MustFind(*a_, odd.name).holder.server, "ms1");
}

// Many servers race for one lease that expires at once: every epoch has exactly one winner, and
// (where the database grants the lock in turn) the lease goes round.
TEST_P(LeaseAuthorityTest, RacingAcquiresNeverGiveOneEpochToTwoHolders) {
  constexpr int kThreads = 6;
  const int rounds = 40 * testing::SoakFactor();
  // Every handle is open before anyone races, so no thread runs its rounds alone while the
  // others are still connecting.
  std::vector<std::unique_ptr<LeaseAuthority>> handles;
  for (int t = 0; t < kThreads; ++t) {
    handles.push_back(OpenOne());
    ASSERT_NE(handles.back(), nullptr);
  }
  std::latch start(kThreads);
  std::mutex mu;
  std::map<uint64_t, std::string> winners;
  std::vector<std::string> errors;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      LeaseAuthority& mine = *handles[t];
      const LeaseHolder holder = Server("ms" + std::to_string(t + 1));
      uint64_t last = 0;
      start.arrive_and_wait();
      for (int i = 0; i < rounds; ++i) {
        // A lease of 0 ms ends as it starts, so the next acquire, by anyone, bumps the epoch.
        Result<Lease> got = mine.Acquire("master", holder, 0, 0);
        std::lock_guard lock(mu);
        if (!got.ok()) {
          if (got.status().code() != StatusCode::kLocked) errors.push_back(got.status().ToString());
          continue;
        }
        if (!winners.emplace(got->epoch, holder.server).second)
          errors.push_back("epoch " + std::to_string(got->epoch) + " won twice");
        if (got->epoch <= last) errors.push_back("epoch went from " + std::to_string(last) + " to " + std::to_string(got->epoch));
        last = got->epoch;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_TRUE(errors.empty()) << errors.size() << " problems, first: " << (errors.empty() ? "" : errors.front());
  ASSERT_FALSE(winners.empty());
  EXPECT_EQ(winners.rbegin()->first, winners.size()) << "epochs were skipped or reused";
  // Every server won, and the lease changed hands while they raced: had the threads taken turns
  // one after another, the holder would have changed kThreads - 1 times. Not asked of SQLite:
  // its busy handler lets the connection that just wrote take the write lock again before the
  // sleeping waiters wake, so each server wins all its epochs in one run (kThreads - 1 changes,
  // every time); the database still decides every race.
  std::set<std::string> holders;
  int changes = 0;
  std::string previous;
  for (const auto& [epoch, server] : winners) {
    holders.insert(server);
    changes += !previous.empty() && server != previous;
    previous = server;
  }
  EXPECT_EQ(holders.size(), static_cast<size_t>(kThreads)) << "a server never won";
  if (GetParam().name != "sqlite") {
    EXPECT_GT(changes, kThreads) << "the holder changed only " << changes << " times in " << winners.size() << " epochs";
  }
}

std::vector<WorldKind> Worlds() {
  std::vector<WorldKind> worlds = {{"local", [] { return std::make_unique<testing::LocalWorld>(); }}};
  for (WorldKind& w : testing::DatabaseWorldKinds<WorldKind>()) worlds.push_back(std::move(w));
  return worlds;
}

INSTANTIATE_TEST_SUITE_P(Authorities, LeaseAuthorityTest, ::testing::ValuesIn(Worlds()),
                         [](const ::testing::TestParamInfo<WorldKind>& info) { return info.param.name; });

// ---- local only ------------------------------------------------------------------------------

TEST(LocalLeaseAuthority, AReboootReleasesEveryLeaseAndKeepsItsEpoch) {
  testing::LocalWorld world;
  Result<std::unique_ptr<LeaseAuthority>> before = world.Open();
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  ASSERT_TRUE((*before)->Acquire("instance.r", Server("ms1"), 60000, 0).ok());
  before->reset();
  world.Reboot("boot-2");
  Result<std::unique_ptr<LeaseAuthority>> after = world.Open();
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  Result<std::optional<LeaseView>> view = (*after)->Find("instance.r");
  ASSERT_TRUE(view.ok() && view->has_value());
  EXPECT_FALSE((*view)->held());
  EXPECT_EQ((*view)->epoch, 1u);
  Result<Lease> again = (*after)->Acquire("instance.r", Server("ms2"), 60000, 60000);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->epoch, 2u);
}

TEST(LocalLeaseAuthority, TheDescriptionNamesTheDirectory) {
  testing::LocalWorld world;
  Result<std::unique_ptr<LeaseAuthority>> a = world.Open();
  ASSERT_TRUE(a.ok());
  EXPECT_NE((*a)->Describe().find(world.dir()), std::string::npos) << (*a)->Describe();
}

}  // namespace
}  // namespace hastore::ha
