#include "commit_harness.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "host_measure.h"
#include "record_fill.h"

namespace hastore::bench {

namespace {

using SteadyClock = std::chrono::steady_clock;

enum class Phase : int { kWarmup, kMeasure, kStop };

// The phase every writer reads before each commit. Only the runner moves it forward; a writer
// that fails moves it to kStop, which also wakes the runner from its sleep.
class RunControl {
 public:
  Phase phase() const { return phase_.load(std::memory_order_acquire); }
  // Whether any commit started in kMeasure has finished. Set once: writers only read it after.
  void NoteMeasured() {
    if (!any_measured_.load(std::memory_order_relaxed)) any_measured_.store(true, std::memory_order_relaxed);
  }
  bool any_measured() const { return any_measured_.load(std::memory_order_relaxed); }

  void Advance(Phase next) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (phase_.load(std::memory_order_relaxed) != Phase::kStop) phase_.store(next, std::memory_order_release);
    }
    cv_.notify_all();
  }

  // Sleeps until `deadline`; false when the run was stopped first.
  bool SleepUntil(SteadyClock::time_point deadline) {
    std::unique_lock<std::mutex> lock(mu_);
    return !cv_.wait_until(lock, deadline, [this] { return phase() == Phase::kStop; });
  }

 private:
  std::atomic<Phase> phase_{Phase::kWarmup};
  std::atomic<bool> any_measured_{false};
  std::mutex mu_;
  std::condition_variable cv_;
};

// One cache line or more each: every writer updates its own after each commit.
struct alignas(64) WriterResult {
  LatencyHistogram latency;  // one sample per measured commit
  Status error;
};

void RunWriter(CommitTarget& target, size_t record_size, uint64_t seed, RunControl& control, WriterResult& out) {
  std::string record(record_size, '\0');
  uint64_t rng = seed;
  while (true) {
    FillRecord(record, rng);
    const Phase phase = control.phase();
    if (phase == Phase::kStop) return;
    const auto start = SteadyClock::now();
    Status st = target.Commit(record);
    const auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyClock::now() - start).count();
    if (!st.ok()) {
      out.error = std::move(st);
      control.Advance(Phase::kStop);
      return;
    }
    if (phase == Phase::kMeasure) {
      out.latency.Record(static_cast<uint64_t>(nanos));
      control.NoteMeasured();
    }
  }
}

SteadyClock::duration Seconds(double s) {
  return std::chrono::duration_cast<SteadyClock::duration>(std::chrono::duration<double>(s));
}

}  // namespace

Result<Measurement> MeasureCommits(CommitTarget& target, const HarnessOptions& options) {
  RunControl control;
  std::vector<WriterResult> results(static_cast<size_t>(options.writers));
  std::vector<std::jthread> threads;
  threads.reserve(results.size());
  for (size_t i = 0; i < results.size(); ++i) {
    threads.emplace_back(RunWriter, std::ref(target), options.record_size, uint64_t{i + 1} << 32, std::ref(control),
                         std::ref(results[i]));
  }

  control.SleepUntil(SteadyClock::now() + Seconds(options.warmup_seconds));
  control.Advance(Phase::kMeasure);
  const auto measure_start = SteadyClock::now();
  const double cpu_start = ProcessCpuSeconds();
  control.SleepUntil(measure_start + Seconds(options.seconds));
  // A short window on a loaded machine may see no commit finish: it stays open until one has,
  // so that a row never reports 0 commits/s for a store that works.
  while (!control.any_measured() && control.phase() != Phase::kStop) {
    control.SleepUntil(SteadyClock::now() + std::chrono::milliseconds(1));
  }
  control.Advance(Phase::kStop);
  const auto measure_end = SteadyClock::now();
  const double cpu_seconds = ProcessCpuSeconds() - cpu_start;
  threads.clear();  // joins; commits started before measure_end still count

  Measurement m;
  uint64_t commits = 0;
  for (const WriterResult& r : results) {
    if (!r.error.ok()) return r.error;
    m.latency.Merge(r.latency);
    commits += r.latency.count();
  }
  m.commits_per_s = static_cast<double>(commits) / std::chrono::duration<double>(measure_end - measure_start).count();
  if (commits > 0) m.cpu_us_per_commit = cpu_seconds * 1e6 / static_cast<double>(commits);
  return m;
}

}  // namespace hastore::bench
