// Record bytes for the runners: never the same record twice, so no layer below can deduplicate
// or compress the work away.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>

namespace hastore::bench {

// Overwrites record with the next bytes of a splitmix64 sequence whose state is `state`.
inline void FillRecord(std::string& record, uint64_t& state) {
  for (size_t at = 0; at < record.size(); at += sizeof(uint64_t)) {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    std::memcpy(record.data() + at, &z, std::min(sizeof z, record.size() - at));
  }
}

}  // namespace hastore::bench
