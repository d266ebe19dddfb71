// XXH3-64 checksums: the one checksum of every hastore format.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace hastore {

uint64_t Checksum(const void* data, size_t n, uint64_t seed = 0);
inline uint64_t Checksum(std::string_view s, uint64_t seed = 0) { return Checksum(s.data(), s.size(), seed); }

// Incremental form, for a header and a payload that are not contiguous. Its state lives in the
// object (no allocation): records and frames make one each.
class ChecksumStream {
 public:
  explicit ChecksumStream(uint64_t seed = 0);
  ChecksumStream(const ChecksumStream&) = delete;
  ChecksumStream& operator=(const ChecksumStream&) = delete;
  void Update(const void* data, size_t n);
  uint64_t Digest() const;

 private:
  // An XXH3_state_t (checksum.cc checks that it fits), kept out of this header with xxhash.h.
  alignas(64) unsigned char state_[576];
};

}  // namespace hastore
