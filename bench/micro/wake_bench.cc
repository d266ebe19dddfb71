// What one synchronous commit's hand-off costs at the least: two threads passing a turn back
// and forth through hastore::Completion (the wait of every store's Commit), sleeping in the
// kernel between turns. One iteration is one round trip: two sleeps and two wake-ups.
// Arg 0: both threads on CPU 0, so each hand-off is a context switch on one core; arg 1: on
// CPUs 0 and 1, so each is a wake-up of another core. Skipped with fewer than two CPUs.
#include <benchmark/benchmark.h>
#include <pthread.h>
#include <sched.h>

#include <memory>
#include <thread>

#include "hastore/storage/completion.h"

namespace hastore {
namespace {

constexpr int64_t kRoundTripsPerBatch = 10000;

bool PinTo(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return pthread_setaffinity_np(pthread_self(), sizeof(set), &set) == 0;
}

void BM_WakeRoundTrip(benchmark::State& state) {
  const int partner_cpu = static_cast<int>(state.range(0));
  if (std::thread::hardware_concurrency() < 2 || !PinTo(0)) {
    state.SkipWithError("needs CPUs 0 and 1");
    return;
  }
  while (state.KeepRunningBatch(kRoundTripsPerBatch)) {
    state.PauseTiming();
    auto ping = std::make_unique<Completion[]>(kRoundTripsPerBatch);
    auto pong = std::make_unique<Completion[]>(kRoundTripsPerBatch);
    std::thread partner([&] {
      PinTo(partner_cpu);
      for (int64_t i = 0; i < kRoundTripsPerBatch; ++i) {
        ping[i].Wait(CommitWait::kSleep);
        pong[i].Signal();
      }
    });
    state.ResumeTiming();
    for (int64_t i = 0; i < kRoundTripsPerBatch; ++i) {
      ping[i].Signal();
      pong[i].Wait(CommitWait::kSleep);
    }
    state.PauseTiming();
    partner.join();
    state.ResumeTiming();
  }
  state.SetLabel(partner_cpu == 0 ? "one core" : "two cores");
}
BENCHMARK(BM_WakeRoundTrip)->Arg(0)->Arg(1)->UseRealTime();

}  // namespace
}  // namespace hastore
