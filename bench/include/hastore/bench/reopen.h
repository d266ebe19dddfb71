// The reopen runner behind `hastore bench reopen`: how long a file store holding a large live
// set takes to open (recovery reads every segment and rebuilds the index), beside the time to
// read the same files sequentially, and the memory the open store keeps resident.
//
// The store is loaded by a child process, so the measuring process has never held the records
// and its resident memory grows only by what the open needs. The page cache is emptied of the
// store's files before the sequential read and again before the open: both read from the disk.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "hastore/storage/status.h"

namespace hastore::bench {

struct ReopenOptions {
  uint64_t live_bytes = uint64_t{1} << 30;  // record data to load
  size_t record_size = 1024;
  std::string dir;  // "" = a new temporary directory, removed after
};

struct ReopenReport {
  uint64_t records = 0;
  uint64_t file_bytes = 0;     // of the store's files after loading
  double load_seconds = 0;
  double read_seconds = 0;     // sequential read of the store's files: the faster of two cold reads
  double reopen_seconds = 0;   // OpenFileStore until it returns
  double ratio_to_read = 0;    // reopen_seconds / read_seconds (target: at most 2)
  uint64_t resident_before = 0;
  uint64_t resident_open = 0;  // with the store open
  uint64_t resident_peak = 0;  // the most resident at any moment of the open
  double bytes_per_record = 0; // (resident_open - resident_before) / records
  uint64_t memory_budget = 0;  // 64 bytes per record plus 64 MiB
};

Result<ReopenReport> RunReopenBench(const ReopenOptions& options, std::ostream& progress);

// A table of the figures, or with json one object with the field names above.
std::string FormatReopenReport(const ReopenReport& report, bool json);

}  // namespace hastore::bench
