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
  Result<Lease> lease = authority_.Acquire(name, holder_, ttl_ms_, grace_ms_);
  if (!lease.ok()) return lease;
  kept_[name] = *lease;
  TrustFrom(sent);
  return lease;
}

Status LeaseKeeper::Release(const std::string& name) {
  auto it = kept_.find(name);
  if (it == kept_.end()) return Status::Ok();
  const Lease lease = it->second;
  kept_.erase(it);
  return authority_.Release(lease);
}

Result<std::vector<std::string>> LeaseKeeper::Renew() {
  const uint64_t sent = NowMs();
  Result<std::vector<Lease>> renewed = authority_.RenewAll(holder_, ttl_ms_);
  if (!renewed.ok()) return renewed.status();
  std::set<std::string> still;
  for (const Lease& l : *renewed) {
    auto it = kept_.find(l.name);
    if (it != kept_.end() && it->second.epoch == l.epoch) still.insert(l.name);
  }
  std::vector<std::string> lost;
  for (auto it = kept_.begin(); it != kept_.end();) {
    if (still.count(it->first) != 0) {
      ++it;
      continue;
    }
    lost.push_back(it->first);
    it = kept_.erase(it);
  }
  if (!kept_.empty()) trusted_until_ms_ = sent + ttl_ms_ - margin_ms_;
  return lost;
}

bool LeaseKeeper::Trusted() const { return NowMs() < trusted_until_ms_; }

void LeaseKeeper::ForgetAll() {
  kept_.clear();
  trusted_until_ms_ = 0;
}

const Lease* LeaseKeeper::Find(const std::string& name) const {
  auto it = kept_.find(name);
  return it == kept_.end() ? nullptr : &it->second;
}

}  // namespace hastore::ha
