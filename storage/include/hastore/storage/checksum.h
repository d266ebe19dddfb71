// XXH3-64 checksums: the one checksum of every hastore format.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace hastore {

uint64_t Checksum(const void* data, size_t n, uint64_t seed = 0);
inline uint64_t Checksum(std::string_view s, uint64_t seed = 0) { return Checksum(s.data(), s.size(), seed); }

// Incremental form, for a header and a payload that are not contiguous.
class ChecksumStream {
 public:
  explicit ChecksumStream(uint64_t seed = 0);
  ~ChecksumStream();
  ChecksumStream(const ChecksumStream&) = delete;
  ChecksumStream& operator=(const ChecksumStream&) = delete;
  void Update(const void* data, size_t n);
  uint64_t Digest() const;

 private:
  void* state_;  // XXH3_state_t
};

}  // namespace hastore
