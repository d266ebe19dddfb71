// The fence file: one per instance, holding the epoch of its current owner.
//
// A new owner writes its epoch here and syncs before it recovers; the writer re-reads it after
// every sync and before acknowledging, so an owner that lost the instance (paused, partitioned)
// learns it before it can acknowledge anything written after the takeover.
//
// Layout: two 512-byte slots; epoch e is written to slot e % 2, so a write torn by a power loss
// leaves the other slot (the previous epoch) intact. A slot: "HSTFENC1", epoch (u64 LE) at 8,
// holder length (u16) at 16, holder bytes from 18 (at most 256), XXH3-64 of bytes [0, 504) at
// 504. The fence is the valid slot with the higher epoch. With no valid slot the fence reads
// as epoch 0 and `damaged`: the store then takes the epoch from its segment headers instead.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "hastore/storage/io.h"

namespace hastore::filestore {

class FenceFile {
 public:
  static constexpr size_t kSlot = 512;

  // Opens (creating when `create`) the fence file at path.
  static Result<std::unique_ptr<FenceFile>> Open(FileSystem* fs, const std::string& path, bool create);

  struct Contents {
    uint64_t epoch = 0;  // 0 for a new, empty fence file
    std::string holder;
    bool damaged = false;  // bytes present but no valid slot (a torn first write, or damage)
  };
  Result<Contents> Read() const;
  // Writes epoch and holder and syncs.
  Status Write(uint64_t epoch, const std::string& holder);
  const std::string& path() const { return file_->path(); }

 private:
  explicit FenceFile(std::unique_ptr<File> f) : file_(std::move(f)) {}
  std::unique_ptr<File> file_;
};

}  // namespace hastore::filestore
