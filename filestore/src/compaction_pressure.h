// How far online compaction is behind, from the bytes in the log and the live bytes among them.
//
// Garbage (log bytes that are not live) is allowed up to the slack: the larger of the live
// bytes and 32 MiB, so a store of 32 MiB or more settles at about twice its live data. Past that the compactor
// works, at its configured rate. Past twice the slack, writers make garbage faster than that
// rate removes it, and the compactor runs unthrottled. Past three times, commits wait for it
// (for a bounded time; not with background compaction off, nor on the writer thread): disk
// use stays bounded however fast the writers are. (Below 32 MiB of live data the slack is
// 32 MiB, so small stores settle at their live data plus up to 32 MiB of garbage.)
#pragma once

#include <algorithm>
#include <cstdint>

namespace hastore::filestore {

enum class CompactionPressure : uint8_t { kNone, kCompact, kUrgent, kStall };

inline CompactionPressure PressureOf(uint64_t log_bytes, uint64_t live_bytes) {
  const uint64_t slack = std::max<uint64_t>(uint64_t{32} << 20, live_bytes);
  if (log_bytes <= live_bytes + slack) return CompactionPressure::kNone;
  if (log_bytes <= live_bytes + 2 * slack) return CompactionPressure::kCompact;
  if (log_bytes <= live_bytes + 3 * slack) return CompactionPressure::kUrgent;
  return CompactionPressure::kStall;
}

}  // namespace hastore::filestore
