// A Clock that moves only when a test moves it: lease and timing rules tested without sleeping.
#pragma once

#include <atomic>
#include <cstdint>

#include "hastore/storage/io.h"

namespace hastore::testing {

class ManualClock : public Clock {
 public:
  explicit ManualClock(uint64_t start_ms = 1000000) : now_ns_(start_ms * 1000000) {}
  uint64_t NowMonotonicNanos() override { return now_ns_.load(); }
  // Sleeping is time passing.
  void SleepForNanos(uint64_t ns) override { now_ns_ += ns; }
  void AdvanceMs(uint64_t ms) { now_ns_ += ms * 1000000; }

 private:
  std::atomic<uint64_t> now_ns_;
};

}  // namespace hastore::testing
