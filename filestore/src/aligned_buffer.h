// A growable buffer aligned for direct I/O (4096 covers every block size a store allows).
#pragma once

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>

namespace hastore::filestore {

class AlignedBuffer {
 public:
  static constexpr size_t kAlignment = 4096;

  // Grows to at least n bytes, keeping the first `keep` bytes.
  void Reserve(size_t n, size_t keep) {
    if (n <= cap_) return;
    size_t cap = cap_ ? cap_ : kAlignment;
    while (cap < n) cap *= 2;
    void* p = nullptr;
    if (posix_memalign(&p, kAlignment, cap) != 0) throw std::bad_alloc();  // out of memory is fatal
    if (keep > 0 && buf_) std::memcpy(p, buf_.get(), keep);
    buf_.reset(static_cast<char*>(p));
    cap_ = cap;
  }
  char* data() { return buf_.get(); }
  const char* data() const { return buf_.get(); }

 private:
  struct Free {
    void operator()(char* p) const { std::free(p); }
  };
  std::unique_ptr<char, Free> buf_;
  size_t cap_ = 0;
};

}  // namespace hastore::filestore
