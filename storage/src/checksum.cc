#include "hastore/storage/checksum.h"

#define XXH_STATIC_LINKING_ONLY  // XXH3_state_t's size, for ChecksumStream's inline state
#include <xxhash.h>

namespace hastore {

uint64_t Checksum(const void* data, size_t n, uint64_t seed) { return XXH3_64bits_withSeed(data, n, seed); }

namespace {

XXH3_state_t* State(unsigned char* bytes) { return reinterpret_cast<XXH3_state_t*>(bytes); }
const XXH3_state_t* State(const unsigned char* bytes) { return reinterpret_cast<const XXH3_state_t*>(bytes); }

}  // namespace

ChecksumStream::ChecksumStream(uint64_t seed) {
  static_assert(sizeof(XXH3_state_t) <= sizeof(state_) && alignof(XXH3_state_t) <= 64,
                "ChecksumStream::state_ must hold an XXH3_state_t");
  XXH3_64bits_reset_withSeed(State(state_), seed);
}

void ChecksumStream::Update(const void* data, size_t n) { XXH3_64bits_update(State(state_), data, n); }

uint64_t ChecksumStream::Digest() const { return XXH3_64bits_digest(State(state_)); }

}  // namespace hastore
