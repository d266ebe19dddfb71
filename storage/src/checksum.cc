#include "hastore/storage/checksum.h"

#include <xxhash.h>

namespace hastore {

uint64_t Checksum(const void* data, size_t n, uint64_t seed) { return XXH3_64bits_withSeed(data, n, seed); }

ChecksumStream::ChecksumStream(uint64_t seed) : state_(XXH3_createState()) {
  XXH3_64bits_reset_withSeed(static_cast<XXH3_state_t*>(state_), seed);
}

ChecksumStream::~ChecksumStream() { XXH3_freeState(static_cast<XXH3_state_t*>(state_)); }

void ChecksumStream::Update(const void* data, size_t n) {
  XXH3_64bits_update(static_cast<XXH3_state_t*>(state_), data, n);
}

uint64_t ChecksumStream::Digest() const { return XXH3_64bits_digest(static_cast<XXH3_state_t*>(state_)); }

}  // namespace hastore
