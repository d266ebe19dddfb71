// The throughput runner behind `hastore bench`: durable commits per second and commit latency
// percentiles for each (kind, sync policy, writers, record size), with two references measured
// in the same run on the same file system:
//   raw  — writer threads hand records to one committer that does one pwrite plus one
//          fdatasync per batch into a file whose blocks were written beforehand;
//   lmdb — LMDB with synchronous commits (one transaction per commit).
#pragma once

#include <cstddef>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "hastore/storage/status.h"

namespace hastore::bench {

struct BenchOptions {
  std::vector<std::string> kinds{"file", "raw", "lmdb"};
  // Sync policies for kind "file" (DESIGN names: "Direct-Write", "Cache-Flush", ...).
  std::vector<std::string> policies{"Direct-Write", "Direct-Write-With-Cache", "Cache-Flush", "Disabled"};
  std::string io_engine = "auto";  // file.io_engine of kind "file": auto, io_uring or pwrite
  std::vector<int> writers{1, 4, 16, 64};
  std::vector<size_t> sizes{64, 1024, 16384};
  double seconds = 5.0;  // measured time per row
  std::string dir;       // where the stores and files go; "" = a new temporary directory, removed after
};

struct BenchRow {
  std::string kind;    // "file", "raw", "lmdb"
  std::string policy;  // sync policy for "file"; "fdatasync" for raw; "sync" for lmdb
  int writers = 0;
  size_t record_size = 0;
  double commits_per_s = 0;
  double p50_us = 0;
  double p99_us = 0;
  double p999_us = 0;
  double ratio_to_raw = 0;  // commits_per_s over the raw row's at the same writers and size; 0 if none
};

// Runs every combination; progress lines go to `progress` as rows finish.
Result<std::vector<BenchRow>> RunBench(const BenchOptions& options, std::ostream& progress);

std::string FormatTable(const std::vector<BenchRow>& rows);
// A JSON array of objects with the keys kind, policy, writers, record_size, commits_per_s,
// p50_us, p99_us, p999_us, ratio_to_raw.
std::string FormatJson(const std::vector<BenchRow>& rows);

}  // namespace hastore::bench
