// Stores being opened for the instances an agent claimed, each on a thread of its own, so that
// one slow open (a database waiting for a lock that a paused owner holds, a slow disk) does not
// hold up the agent's other instances, its plan or its fencing.
//
// Thread safety: one thread (the agent's); the opener runs on threads of its own, possibly
// several at once.
#pragma once

#include <cstdint>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "hastore/ha/agent.h"

namespace hastore::ha {

class StoreOpenings {
 public:
  explicit StoreOpenings(StoreOpener open) : open_(std::move(open)) {}
  // Waits for the opens under way and closes what they opened.
  ~StoreOpenings();
  StoreOpenings(const StoreOpenings&) = delete;
  StoreOpenings& operator=(const StoreOpenings&) = delete;

  // Starts opening the store of `instance` under `ownership`; one open per instance at a time.
  void Start(const std::string& instance, const StoreConfig& config, const Ownership& ownership);
  bool Busy(const std::string& instance) const { return pending_.count(instance) != 0; }

  struct Opened {
    std::string instance;
    uint64_t epoch = 0;
    Result<std::unique_ptr<Store>> store;
  };
  // The opens that have finished, now removed from those under way.
  std::vector<Opened> Finished();
  // Every open under way, once finished (waiting as long as they take).
  std::vector<Opened> WaitAll();

 private:
  struct Pending {
    uint64_t epoch = 0;
    std::future<Result<std::unique_ptr<Store>>> store;
  };
  std::vector<Opened> Take(bool wait);

  const StoreOpener open_;
  std::map<std::string, Pending> pending_;
};

}  // namespace hastore::ha
