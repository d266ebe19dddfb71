#include "lease_keeper.h"

#include <algorithm>
#include <set>

namespace hastore::ha {

LeaseKeeper::LeaseKeeper(LeaseAuthority& authority, Clock& clock, LeaseHolder holder, uint64_t ttl_ms,
                         uint64_t grace_ms)
    : authority_(authority),
      clock_(clock),
      holder_(std::move(holder)),
      ttl_ms_(ttl_ms),
      grace_ms_(grace_ms),
      // A fifth of the lease: time to stop the instances before anyone else may start them,
      // and slack for the authority's round trip.
      margin_ms_(std::max<uint64_t>(ttl_ms / 5, 1)) {}

void LeaseKeeper::TrustFrom(uint64_t sent_ms) {
  const uint64_t until = sent_ms + ttl_ms_ - margin_ms_;
  // Trust ends with the earliest-ending lease: a lease acquired now ends after those renewed
  // before, so only the first one kept sets it.
  if (kept_.size() == 1 || trusted_until_ms_ == 0) trusted_until_ms_ = until;
}

Result<Lease> LeaseKeeper::Acquire(const std::string& name) {
  const uint64_t sent = NowMs();
  std::optional<Lease> forgotten;
  {
    std::lock_guard lock(mu_);
    ++acquiring_[name];
    if (auto it = forgotten_.find(name); it != forgotten_.end()) {
      forgotten = it->second;
      forgotten_.erase(it);
    }
  }
  // A lease forgotten by ForgetAll may still be ours at the authority, which would hand it back
  // under the same epoch: given back first, it is taken under a new one, which fences whatever
  // was opened under the old (a failed release leaves it to the authority, as any other).
  if (forgotten) (void)authority_.Release(*forgotten);
  Result<Lease> lease = authority_.Acquire(name, holder_, ttl_ms_, grace_ms_);
  std::lock_guard lock(mu_);
  if (--acquiring_[name] == 0) acquiring_.erase(name);
  if (!lease.ok()) return lease;
  kept_[name] = Kept{*lease, ++generation_};
  TrustFrom(sent);
  return lease;
}

Status LeaseKeeper::Release(const std::string& name) {
  Lease lease;
  {
    std::lock_guard lock(mu_);
    auto it = kept_.find(name);
    if (it == kept_.end()) return Status::Ok();
    lease = it->second.lease;
    kept_.erase(it);
  }
  return authority_.Release(lease);
}

Result<std::vector<std::string>> LeaseKeeper::Renew() {
  const uint64_t sent = NowMs();
  uint64_t judged = 0;  // leases acquired after this are not judged by this renewal
  {
    std::lock_guard lock(mu_);
    judged = generation_;
  }
  Result<std::vector<Lease>> renewed = authority_.RenewAll(holder_, ttl_ms_);
  if (!renewed.ok()) return renewed.status();
  std::vector<Lease> strays;
  std::vector<std::string> lost;
  {
    std::lock_guard lock(mu_);
    std::set<std::string> still;
    for (const Lease& l : *renewed) {
      auto it = kept_.find(l.name);
      if (it != kept_.end() && it->second.lease.epoch == l.epoch) {
        still.insert(l.name);
      } else if (it == kept_.end() && acquiring_.count(l.name) == 0) {
        strays.push_back(l);
      }
    }
    for (auto it = kept_.begin(); it != kept_.end();) {
      if (still.count(it->first) != 0 || it->second.generation > judged) {
        ++it;
        continue;
      }
      lost.push_back(it->first);
      it = kept_.erase(it);
    }
    if (!kept_.empty()) trusted_until_ms_ = sent + ttl_ms_ - margin_ms_;
  }
  // A lease of this session that is not kept (forgotten when the server fenced itself, or
  // whose release failed) would otherwise be renewed with the others for ever, and its
  // instance could never start anywhere else: it is given back. A failed release is tried
  // again at the next renewal.
  for (const Lease& stray : strays) {
    if (!authority_.Release(stray).ok()) continue;
    std::lock_guard lock(mu_);
    forgotten_.erase(stray.name);
  }
  return lost;
}

void LeaseKeeper::ForgetAll() {
  std::lock_guard lock(mu_);
  for (auto& [name, kept] : kept_) forgotten_[name] = kept.lease;
  kept_.clear();
  trusted_until_ms_ = 0;
}

bool LeaseKeeper::Holds(const std::string& name) const {
  std::lock_guard lock(mu_);
  return kept_.count(name) != 0;
}

std::optional<Lease> LeaseKeeper::Find(const std::string& name) const {
  std::lock_guard lock(mu_);
  auto it = kept_.find(name);
  if (it == kept_.end()) return std::nullopt;
  return it->second.lease;
}

}  // namespace hastore::ha
