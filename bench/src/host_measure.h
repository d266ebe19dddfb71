// What the runners read from the host: this process's resident memory and CPU time, the bytes
// a directory's files take, and the page cache kept cold between measurements.
#pragma once

#include <cstdint>
#include <string>

#include "hastore/storage/status.h"

namespace hastore::bench {

struct ResidentMemory {
  uint64_t current = 0;  // VmRSS
  uint64_t peak = 0;     // VmHWM: the most this process has had resident since it started
};
Result<ResidentMemory> ReadResidentMemory();

// User plus system CPU time of every thread of this process so far, in seconds.
double ProcessCpuSeconds();

struct DirUsage {
  uint64_t apparent = 0;   // sum of file sizes
  uint64_t allocated = 0;  // sum of blocks the files hold on disk
};
// Every regular file under dir, recursively. Files removed while it walks are skipped.
DirUsage MeasureDir(const std::string& dir);

// Writes back every file under dir and asks the kernel to forget their cached pages, so the
// next read of them comes from the disk.
Status EvictFromPageCache(const std::string& dir);

// Reads every regular file directly in dir from start to end, in large buffered reads (what
// `cat` would do).
Status ReadFilesSequentially(const std::string& dir);

}  // namespace hastore::bench
