// The lease keeper (ha/src/lease_keeper.h) on the local authority: a lease of its session that
// it no longer keeps is given back at the next renewal, never renewed for ever; one being
// acquired while a renewal runs is kept.
#include "lease_keeper.h"

#include <gtest/gtest.h>

#include <functional>
#include <future>
#include <thread>

#include "agent_harness.h"
#include "authority_world.h"

namespace hastore::ha {
namespace {

constexpr uint64_t kTtl = 1000;
const LeaseHolder kMs1{"ms1", "1@host/1"};
const LeaseHolder kMs2{"ms2", "2@host/2"};

// Runs a hook after each Acquire has reached the authority and before the keeper hears back,
// and one before each renewal reaches it.
class HookedAuthority : public SeveredAuthority {
 public:
  using SeveredAuthority::SeveredAuthority;
  std::function<void()> after_acquire;
  std::function<void()> before_renew;
  Result<Lease> Acquire(std::string_view n, const LeaseHolder& h, uint64_t t, uint64_t g) override {
    Result<Lease> lease = SeveredAuthority::Acquire(n, h, t, g);
    if (after_acquire) after_acquire();
    return lease;
  }
  Result<std::vector<Lease>> RenewAll(const LeaseHolder& h, uint64_t t) override {
    if (before_renew) before_renew();
    return SeveredAuthority::RenewAll(h, t);
  }
};

class LeaseKeeperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto a = world_.Open();
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    inner_ = std::move(*a);
    authority_ = std::make_unique<HookedAuthority>(inner_);
    keeper_ = std::make_unique<LeaseKeeper>(*authority_, clock_, kMs1, kTtl, 0);
  }
  // Whether another server can take `name` now, without any time passing.
  bool FreeForOthers(const std::string& name) { return inner_->Acquire(name, kMs2, kTtl, 0).ok(); }

  testing::LocalWorld world_;
  testing::ManualClock clock_;
  std::shared_ptr<LeaseAuthority> inner_;
  std::unique_ptr<HookedAuthority> authority_;
  std::unique_ptr<LeaseKeeper> keeper_;
};

TEST_F(LeaseKeeperTest, LeasesForgottenWhenFencingAreGivenBackAtTheNextRenewal) {
  ASSERT_TRUE(keeper_->Acquire("server.ms1").ok());
  ASSERT_TRUE(keeper_->Acquire("instance.queue@ms1").ok());
  keeper_->ForgetAll();  // fenced itself while the authority still had both
  ASSERT_TRUE(keeper_->Acquire("server.ms1").ok());  // back, same session
  Result<std::vector<std::string>> lost = keeper_->Renew();
  ASSERT_TRUE(lost.ok()) << lost.status().ToString();
  EXPECT_TRUE(lost->empty());
  EXPECT_TRUE(FreeForOthers("instance.queue@ms1"));
  EXPECT_TRUE(keeper_->Holds("server.ms1"));
  EXPECT_FALSE(FreeForOthers("server.ms1"));
}

TEST_F(LeaseKeeperTest, ALeaseWhoseReleaseFailedIsReleasedAtTheNextRenewal) {
  ASSERT_TRUE(keeper_->Acquire("server.ms1").ok());
  ASSERT_TRUE(keeper_->Acquire("instance.solo-01").ok());
  authority_->Sever();
  EXPECT_FALSE(keeper_->Release("instance.solo-01").ok());
  authority_->Heal();
  EXPECT_FALSE(keeper_->Holds("instance.solo-01"));
  EXPECT_FALSE(FreeForOthers("instance.solo-01"));  // the authority still has it
  ASSERT_TRUE(keeper_->Renew().ok());
  EXPECT_TRUE(FreeForOthers("instance.solo-01"));
}

TEST_F(LeaseKeeperTest, ALeaseARenewalFindsBeforeItsAcquireReturnsIsKept) {
  ASSERT_TRUE(keeper_->Acquire("server.ms1").ok());
  bool renewed = false;
  authority_->after_acquire = [&] {
    authority_->after_acquire = nullptr;
    renewed = keeper_->Renew().ok();  // the heartbeat, between the authority's answer and the keep
  };
  Result<Lease> lease = keeper_->Acquire("instance.solo-01");
  ASSERT_TRUE(lease.ok()) << lease.status().ToString();
  ASSERT_TRUE(renewed);
  EXPECT_TRUE(keeper_->Holds("instance.solo-01"));
  EXPECT_FALSE(FreeForOthers("instance.solo-01"));
  Result<std::vector<std::string>> lost = keeper_->Renew();
  ASSERT_TRUE(lost.ok());
  EXPECT_TRUE(lost->empty());
  EXPECT_FALSE(FreeForOthers("instance.solo-01"));
}

// ForgetAll promises new epochs: the authority still has the forgotten lease for this session
// and, asked again, would renew it under the old one; a store reopened under that epoch could
// then not take over from a paused older owner whose session lock is still live.
TEST_F(LeaseKeeperTest, ALeaseAcquiredAgainAfterForgetAllHasANewEpoch) {
  Result<Lease> first = keeper_->Acquire("instance.solo-01");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  keeper_->ForgetAll();
  Result<Lease> again = keeper_->Acquire("instance.solo-01");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_GT(again->epoch, first->epoch);
  EXPECT_TRUE(keeper_->Holds("instance.solo-01"));
  EXPECT_FALSE(FreeForOthers("instance.solo-01"));
}

// Trust ends a fifth of the lease (the margin for stopping the instances) before the lease
// would, counted from when the last successful request was sent; a failed renewal does not
// extend it.
TEST_F(LeaseKeeperTest, TrustEndsAFifthOfTheLeaseBeforeTheLastRenewalsLeaseWould) {
  constexpr uint64_t kTrusted = kTtl - kTtl / 5;
  EXPECT_FALSE(keeper_->Trusted()) << "nothing acquired yet";
  ASSERT_TRUE(keeper_->Acquire("server.ms1").ok());
  clock_.AdvanceMs(kTrusted - 1);
  EXPECT_TRUE(keeper_->Trusted());
  clock_.AdvanceMs(1);
  EXPECT_FALSE(keeper_->Trusted()) << "trusted for the whole lease, with no margin";

  ASSERT_TRUE(keeper_->Renew().ok());  // renews although trust had ended: the lease had not
  const uint64_t renewed = clock_.NowMonotonicMs();
  EXPECT_TRUE(keeper_->Trusted());
  EXPECT_EQ(keeper_->trusted_until_ms(), renewed + kTrusted);
  clock_.AdvanceMs(kTrusted / 2);
  authority_->Sever();
  EXPECT_FALSE(keeper_->Renew().ok());
  EXPECT_EQ(keeper_->trusted_until_ms(), renewed + kTrusted) << "a failed renewal moved the trust";
  clock_.AdvanceMs(kTrusted - kTrusted / 2);
  EXPECT_FALSE(keeper_->Trusted());
}

// The agent's stores ask Trusted on every commit, and the heartbeat may wait on an authority
// that does not answer: Trusted must answer at once all the same, and say no once the time
// is up.
TEST_F(LeaseKeeperTest, TrustIsJudgedWhileARenewalWaitsOnTheAuthority) {
  ASSERT_TRUE(keeper_->Acquire("server.ms1").ok());
  std::promise<void> entered, answer;
  std::shared_future<void> answered = answer.get_future().share();
  authority_->before_renew = [&] {
    entered.set_value();
    answered.wait();
  };
  std::thread heartbeat([&] { (void)keeper_->Renew(); });
  entered.get_future().wait();
  EXPECT_TRUE(keeper_->Trusted());
  clock_.AdvanceMs(kTtl);
  EXPECT_FALSE(keeper_->Trusted()) << "the hung renewal kept the trust alive";
  EXPECT_TRUE(keeper_->Holds("server.ms1"));  // the lock is not held across the authority call
  answer.set_value();
  heartbeat.join();
  authority_->before_renew = nullptr;
}

}  // namespace
}  // namespace hastore::ha
