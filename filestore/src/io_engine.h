// How a group-commit batch reaches the disk. Chosen once at open and reported by `hastore list`.
//
// "pwrite": pwrite then fdatasync, through the I/O seam (works on every FileSystem).
// "io_uring": one submission of the write linked to an fdatasync, so the sync is ordered after
// the write (io_uring does not order them otherwise); needs a real descriptor.
// A short write is a failed commit in both.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "hastore/storage/config.h"
#include "hastore/storage/io.h"

namespace hastore::filestore {

class IoEngine {
 public:
  virtual ~IoEngine() = default;
  virtual const char* name() const = 0;
  // Writes len bytes at offset and, when sync, makes them durable before returning.
  virtual Status WriteBatch(File* file, const char* buf, size_t len, uint64_t offset, bool sync) = 0;
};

std::unique_ptr<IoEngine> MakePwriteEngine();
// Fails when io_uring cannot be set up here (old kernel, seccomp, disabled by sysctl).
Result<std::unique_ptr<IoEngine>> MakeUringEngine();

// The engine file.io_engine asks for on fs. kAuto is pwrite: measured here, it was at least as
// fast as io_uring at 64 writers and faster at one, because a linked write+fsync with no
// overlap of batches only adds a hop to a kernel worker (README, Figures). kIoUring fails
// where io_uring cannot be had, or on a file system other than the POSIX one.
Result<std::unique_ptr<IoEngine>> ChooseIoEngine(IoEngineChoice choice, FileSystem* fs);

}  // namespace hastore::filestore
