// The I/O seam: every OS touchpoint of a store goes through these interfaces, so tests can
// substitute a file system that drops unsynced data, fails the Nth write or sync, or tears a
// write, and a clock that moves without sleeping.
//
// Thread safety: FileSystem and Clock implementations are thread-safe. A File may be used by
// several threads at once for pread/pwrite at disjoint offsets.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "hastore/storage/status.h"

namespace hastore {

struct OpenOptions {
  bool create = false;     // create when missing
  bool exclusive = false;  // with create: fail if it exists
  bool read_only = false;
  bool direct = false;     // O_DIRECT: offsets, lengths and buffers aligned to the block size
};

class File {
 public:
  virtual ~File() = default;
  // Writes all n bytes at offset; a short write is an error.
  virtual Status Write(uint64_t offset, const void* data, size_t n) = 0;
  // Reads up to n bytes at offset; *got < n only at end of file.
  virtual Status Read(uint64_t offset, void* buf, size_t n, size_t* got) const = 0;
  // Makes the data (and the size) durable: fdatasync.
  virtual Status Sync() = 0;
  virtual Status Truncate(uint64_t size) = 0;
  virtual Result<uint64_t> Size() const = 0;
  // The OS descriptor for engines that submit I/O themselves (io_uring); -1 when the file is
  // not backed by one (test file systems), which makes such engines unavailable.
  virtual int fd() const { return -1; }
  virtual const std::string& path() const = 0;
};

// An exclusive advisory lock, held until destroyed.
class FileLock {
 public:
  virtual ~FileLock() = default;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;
  static FileSystem* Default();  // the POSIX file system; never null

  virtual Result<std::unique_ptr<File>> Open(const std::string& path, const OpenOptions& options) = 0;
  // Makes entries created, renamed or removed in dir durable.
  virtual Status SyncDir(const std::string& dir) = 0;
  // Names (not paths) of the entries of dir.
  virtual Result<std::vector<std::string>> List(const std::string& dir) = 0;
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
  virtual Status Remove(const std::string& path) = 0;
  virtual Status CreateDirs(const std::string& dir) = 0;
  virtual bool Exists(const std::string& path) = 0;
  // Takes an exclusive lock on path (creating it), writing `holder` into it; when another
  // process or open holds it, fails with kLocked naming the holder found in the file.
  virtual Result<std::unique_ptr<FileLock>> Lock(const std::string& path, const std::string& holder) = 0;
  // The logical block size of the device under dir (512 for test file systems).
  virtual Result<uint32_t> BlockSize(const std::string& dir) = 0;
};

// Creates dir and every missing directory above it, and makes each one it created durable by
// syncing the directory that holds it (mkdir alone is lost with a power loss, and with it
// everything later written inside). Directories that existed already are left as they are.
// Every store creates its directories through this before anything in them is acknowledged.
Status CreateDirsDurably(FileSystem& fs, const std::string& dir);

class Clock {
 public:
  virtual ~Clock() = default;
  static Clock* Default();
  virtual uint64_t NowMonotonicNanos() = 0;
  virtual void SleepForNanos(uint64_t ns) = 0;
  // NowMonotonicNanos in whole milliseconds (rounded down).
  uint64_t NowMonotonicMs() { return NowMonotonicNanos() / 1000000; }
};

std::string JoinPath(const std::string& dir, const std::string& name);

}  // namespace hastore
