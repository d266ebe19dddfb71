// The churn runner behind `hastore bench churn`: writers replace records of a constant live set
// (each transaction removes some and creates as many) until the created bytes reach a total,
// while a sampler records the most disk the store's files took, every 10 ms and at the end. Online
// compaction has to keep up: the target is files under 1 GiB for 10 GiB over 100 MiB live.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "hastore/storage/status.h"

namespace hastore::bench {

struct ChurnOptions {
  uint64_t live_bytes = uint64_t{100} << 20;
  uint64_t traffic_bytes = uint64_t{10} << 30;  // record bytes created during the churn
  size_t record_size = 1024;
  int writers = 16;
  int replacements_per_commit = 8;
  // Which records a writer replaces: random ones (compaction must copy the survivors of old
  // segments), or oldest first (a queue: old segments empty out by themselves).
  bool random = true;
  std::string policy = "Direct-Write";
  std::string dir;  // "" = a new temporary directory, removed after
};

struct ChurnReport {
  uint64_t live_records = 0;
  uint64_t created_bytes = 0;
  uint64_t commits = 0;
  double seconds = 0;
  uint64_t max_file_bytes = 0;       // sum of the store's file sizes, at its highest sample
  uint64_t max_allocated_bytes = 0;  // disk blocks they held, at its highest sample
  uint64_t final_file_bytes = 0;
  uint64_t segments_compacted = 0;
  uint64_t bytes_compacted = 0;
};

Result<ChurnReport> RunChurnBench(const ChurnOptions& options, std::ostream& progress);

std::string FormatChurnReport(const ChurnReport& report, bool json);

}  // namespace hastore::bench
