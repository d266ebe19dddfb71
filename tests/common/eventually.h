// Waiting for a condition another thread or process brings about, by polling with a bound.
#pragma once

#include <chrono>
#include <thread>

namespace hastore::testing {

// Polls until `pred` holds, for at most `bound` (generous: callers are not timing tests);
// pred()'s last value.
template <class Pred>
bool Eventually(Pred pred, std::chrono::milliseconds bound = std::chrono::seconds(20)) {
  const auto until = std::chrono::steady_clock::now() + bound;
  while (std::chrono::steady_clock::now() < until) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return pred();
}

}  // namespace hastore::testing
