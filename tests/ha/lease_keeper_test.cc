// The lease keeper (ha/src/lease_keeper.h) on the local authority: a lease of its session that
// it no longer keeps is given back at the next renewal, never renewed for ever; one being
// acquired while a renewal runs is kept.
#include "lease_keeper.h"

#include <gtest/gtest.h>

#include <functional>

#include "agent_harness.h"
#include "authority_world.h"

namespace hastore::ha {
namespace {

constexpr uint64_t kTtl = 1000;
const LeaseHolder kMs1{"ms1", "1@host/1"};
const LeaseHolder kMs2{"ms2", "2@host/2"};

// Runs a hook after each Acquire has reached the authority and before the keeper hears back.
class HookedAuthority : public SeveredAuthority {
 public:
  using SeveredAuthority::SeveredAuthority;
  std::function<void()> after_acquire;
  Result<Lease> Acquire(std::string_view n, const LeaseHolder& h, uint64_t t, uint64_t g) override {
    Result<Lease> lease = SeveredAuthority::Acquire(n, h, t, g);
    if (after_acquire) after_acquire();
    return lease;
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

}  // namespace
}  // namespace hastore::ha
