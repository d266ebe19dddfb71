#include "store_openings.h"

#include <chrono>

namespace hastore::ha {

StoreOpenings::~StoreOpenings() {
  for (Opened& opened : WaitAll()) {
    if (opened.store.ok()) (void)(*opened.store)->Close();
  }
}

void StoreOpenings::Start(const std::string& instance, const StoreConfig& config, const Ownership& ownership) {
  Pending& p = pending_[instance];
  p.epoch = ownership.epoch;
  p.store = std::async(std::launch::async, [open = open_, config, ownership] { return open(config, ownership); });
}

std::vector<StoreOpenings::Opened> StoreOpenings::Finished() { return Take(false); }

std::vector<StoreOpenings::Opened> StoreOpenings::WaitAll() { return Take(true); }

std::vector<StoreOpenings::Opened> StoreOpenings::Take(bool wait) {
  std::vector<Opened> out;
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (!wait && it->second.store.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
      ++it;
      continue;
    }
    out.push_back(Opened{it->first, it->second.epoch, it->second.store.get()});
    it = pending_.erase(it);
  }
  return out;
}

}  // namespace hastore::ha
