// An in-memory FileSystem for crash and fault tests: it remembers which bytes and directory
// entries were made durable (File::Sync, SyncDir) and can produce the state a power loss would
// leave, fail the N-th I/O, or fail one sync. A directory CreateDirs makes is an entry of its
// parent like a file: a power loss takes it, and all it holds, unless its parent was synced.
//
// Every File::Write, File::Truncate, File::Sync and SyncDir is one I/O, numbered from 1 in the
// order they happen (io_count()). Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "hastore/storage/io.h"

namespace hastore {

class FaultFileSystem : public FileSystem {
 public:
  enum class CrashMode : uint8_t {
    kDropUnsynced,  // keep only what was synced: data, sizes and directory entries
    kTearUnsynced,  // keep a random prefix of each file's unsynced writes, the last one cut
                    // at a random byte; a random prefix of unsynced directory operations
  };

  FaultFileSystem();
  ~FaultFileSystem() override;

  // From the n-th I/O on, every I/O fails with kIOError, as if the process died just before
  // it; the I/O itself has no effect. 0 disables.
  void CrashAtIo(uint64_t n);
  // The n-th File::Sync (counting syncs only, from 1) fails with kIOError and makes nothing
  // durable; later syncs succeed. 0 disables.
  void FailSyncAt(uint64_t n);
  uint64_t io_count() const;
  uint64_t sync_count() const;
  bool crashed() const;  // a CrashAtIo point was reached

  // Leaves the state after a power loss, chosen by mode (seeded for repeatability), and
  // clears the crash and failure points. Files and locks opened before become unusable.
  void SimulateCrash(CrashMode mode, uint64_t seed = 0);

  // Test set-up, not an I/O: dir and every directory above it exist already, as if made before
  // the test, and durable (CreateDirs makes directories a power loss can take away).
  Status AddExistingDirs(const std::string& dir);

  // Test access to contents (current view, synced or not).
  Result<std::string> Contents(const std::string& path) const;
  // Flips one bit in both the durable and the current content.
  Status FlipBit(const std::string& path, uint64_t offset, int bit);

  Result<std::unique_ptr<File>> Open(const std::string& path, const OpenOptions& options) override;
  Status SyncDir(const std::string& dir) override;
  Result<std::vector<std::string>> List(const std::string& dir) override;
  Status Rename(const std::string& from, const std::string& to) override;
  Status Remove(const std::string& path) override;
  Status CreateDirs(const std::string& dir) override;
  bool Exists(const std::string& path) override;
  Result<std::unique_ptr<FileLock>> Lock(const std::string& path, const std::string& holder) override;
  Result<uint32_t> BlockSize(const std::string& dir) override;

  struct State;  // private; public only so the file and lock types can reach it

 private:
  std::shared_ptr<State> state_;
};

}  // namespace hastore
