// A lease authority under test: where its state lives, how to open more handles on it (one per
// simulated server) and how to let its clock run. The shared suite (lease_authority_test.cc)
// runs every rule of lease_authority.h on each kind of world.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "common/manual_clock.h"
#include "common/temp_dir.h"
#include "hastore/ha/lease_authority.h"
#include "hastore/ha/local_lease_authority.h"

namespace hastore::testing {

class AuthorityWorld {
 public:
  virtual ~AuthorityWorld() = default;
  // Another handle on the same authority (another server, another process's view).
  virtual Result<std::unique_ptr<ha::LeaseAuthority>> Open() = 0;
  // Lets `ms` pass on the authority's clock (instantly where the clock is the test's).
  virtual void Advance(uint64_t ms) = 0;
};

// The `local` authority in a temporary directory, on a manual clock.
class LocalWorld : public AuthorityWorld {
 public:
  Result<std::unique_ptr<ha::LeaseAuthority>> Open() override {
    return ha::OpenLocalLeaseAuthority(dir_.path() + "/leases", ha::LocalLeaseOptions{&clock_, boot_id_});
  }
  void Advance(uint64_t ms) override { clock_.AdvanceMs(ms); }
  // The next Open behaves as after a reboot of the host.
  void Reboot(std::string boot_id) { boot_id_ = std::move(boot_id); }
  const std::string& dir() const { return dir_.path(); }

 private:
  TempDir dir_;
  ManualClock clock_;
  std::string boot_id_ = "boot-1";
};

// An authority on a real clock: time passes by sleeping.
class RealTimeWorld : public AuthorityWorld {
 public:
  void Advance(uint64_t ms) override { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }
};

}  // namespace hastore::testing
