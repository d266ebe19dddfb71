// How far a long verb (verify, copy, compact, repair) has got, for a person watching it.
//
// Only when stderr is a terminal: one line rewritten in place ("hastore verify: 1.5 MiB of
// 3.0 MiB (50%)"), at most every 200 ms, and ended with a newline by Finish (or the
// destructor), so that what the verb says next starts on a line of its own. A pipe or a file
// gets nothing, so scripts and logs see exactly what they saw before.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

namespace hastore::tools {

class ProgressMeter {
 public:
  enum class Unit { kBytes, kCount };  // shown as "1.5 MiB", or as a plain number

  // `what` follows the figures: "records copied", "segments compacted".
  ProgressMeter(std::string_view verb, Unit unit, uint64_t total, std::string_view what = "");
  ~ProgressMeter();
  ProgressMeter(const ProgressMeter&) = delete;
  ProgressMeter& operator=(const ProgressMeter&) = delete;

  // Whether a meter would show: stderr is a terminal. For callers that must measure the
  // total first.
  static bool Wanted();

  bool enabled() const { return enabled_; }
  // `done` of the total so far; shown when 200 ms have passed since the last line. Safe from
  // several threads.
  void Update(uint64_t done);
  // Shows the last figure and ends the line; later calls do nothing.
  void Finish();

 private:
  void Show();  // under mu_

  const bool enabled_;
  const std::string prefix_;
  const Unit unit_;
  const uint64_t total_;
  const std::string what_;
  std::mutex mu_;
  uint64_t done_ = 0;
  bool finished_ = false;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace hastore::tools
