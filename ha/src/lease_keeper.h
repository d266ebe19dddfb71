// The leases one server holds, renewed together, and how long the server may trust them.
//
// A lease renewed by a request sent at local time t is trusted until t + ttl - margin on the
// server's own monotonic clock: the authority started its ttl after t, so the server always
// believes it has less time than it has. When that moment passes without a renewal, every
// lease is lost as far as this server is concerned (self-fencing).
//
// Thread safety: any thread. The agent renews on its heartbeat thread while its main thread
// acquires and releases; a lease acquired while a renewal is in flight is not judged by it.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "hastore/ha/lease_authority.h"
#include "hastore/storage/io.h"

namespace hastore::ha {

class LeaseKeeper {
 public:
  LeaseKeeper(LeaseAuthority& authority, Clock& clock, LeaseHolder holder, uint64_t ttl_ms, uint64_t grace_ms);

  // Acquire through the authority; on success the lease is kept (and renewed from now on).
  Result<Lease> Acquire(const std::string& name);
  // Releases a kept lease and forgets it.
  Status Release(const std::string& name);
  // Renews every kept lease and releases any other lease the authority has for this session
  // (one forgotten by ForgetAll, or whose release failed), so that it is not renewed for
  // ever. Returns the names of kept leases the authority no longer has for
  // this session (lost: taken over, or expired). On an error the leases stay kept until their
  // trust ends.
  Result<std::vector<std::string>> Renew();
  // True while the leases may be trusted: the last successful renewal (or acquire) is recent
  // enough. False also when nothing was ever acquired. Never blocks, not even while a renewal
  // waits on an authority that does not answer: the agent's stores ask it on every commit.
  bool Trusted() const { return NowMs() < trusted_until_ms_.load(std::memory_order_acquire); }
  // Until when (local monotonic ms) they are trusted; 0 when they are not (or never were).
  uint64_t trusted_until_ms() const { return trusted_until_ms_.load(std::memory_order_acquire); }
  // Forgets every lease (after self-fencing): they will be acquired again, under new epochs
  // (Acquire gives a forgotten one back to the authority first).
  void ForgetAll();

  bool Holds(const std::string& name) const;
  std::optional<Lease> Find(const std::string& name) const;
  uint64_t ttl_ms() const { return ttl_ms_; }

 private:
  uint64_t NowMs() const { return clock_.NowMonotonicMs(); }
  void TrustFrom(uint64_t sent_ms);

  LeaseAuthority& authority_;
  Clock& clock_;
  const LeaseHolder holder_;
  const uint64_t ttl_ms_, grace_ms_, margin_ms_;
  struct Kept {
    Lease lease;
    uint64_t generation = 0;  // when it was acquired, in Acquire calls
  };
  mutable std::mutex mu_;
  uint64_t generation_ = 0;
  std::map<std::string, Kept> kept_;
  // Names being acquired now, by how many calls: a renewal that finds one of them held by this
  // session before Acquire has kept it must not release it as a stray.
  std::map<std::string, int> acquiring_;
  // Leases ForgetAll dropped, by name, until acquired again (or released as strays by Renew).
  std::map<std::string, Lease> forgotten_;
  // Trusted until this local time: the end of the earliest-ending kept lease, by our clock.
  // Written under mu_, read without it.
  std::atomic<uint64_t> trusted_until_ms_{0};
};

}  // namespace hastore::ha
