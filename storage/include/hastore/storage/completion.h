// A one-shot flag that a committing thread sleeps on until a store thread sets it: the
// hand-off of a synchronous commit. It waits in the kernel (futex) at once, without the
// spin-then-yield of std::atomic::wait, which with dozens of committers on two cores spent
// more CPU in sched_yield than the commits themselves (measured with perf on the JDBC store).
#pragma once

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>

namespace hastore {

class Completion {
 public:
  // Returns once Signal() has been called (at once if it was).
  void Wait() {
    while (done_.load(std::memory_order_acquire) == 0) {
      ::syscall(SYS_futex, reinterpret_cast<uint32_t*>(&done_), FUTEX_WAIT_PRIVATE, 0, nullptr, nullptr, 0);
    }
  }
  void Signal() {
    done_.store(1, std::memory_order_release);
    ::syscall(SYS_futex, reinterpret_cast<uint32_t*>(&done_), FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
  }

 private:
  static_assert(sizeof(std::atomic<uint32_t>) == sizeof(uint32_t), "a futex is a 32-bit word");
  std::atomic<uint32_t> done_{0};
};

}  // namespace hastore
