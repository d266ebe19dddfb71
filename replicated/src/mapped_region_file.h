// One file a daemon holds for an instance: a .RGN region (or a small file such as the fence),
// memory-mapped with Boost.Interprocess. The first page is a header with the file's logical
// size; the data follows. The size lives in the mapping, so a daemon killed with -9 loses
// nothing it acknowledged (the page cache keeps both); only a host crash loses what the
// background flush had not written back, which is why every commit has a second copy.
//
// Thread safety: none; the daemon serialises access per instance.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "hastore/storage/status.h"

namespace hastore::replicated {

class MappedRegionFile {
 public:
  // Opens `path`, creating it with room for `capacity` bytes of data when `create` (a sparse
  // file: a region costs disk only as it fills).
  static Result<std::unique_ptr<MappedRegionFile>> Open(const std::string& path, uint64_t capacity, bool create);
  ~MappedRegionFile();

  // kTooLarge past the capacity (the region is full).
  Status Write(uint64_t offset, const char* data, size_t n);
  // Up to n bytes from offset, in the mapping itself (valid until the next Write or Truncate;
  // the instance's mutex keeps them out); fewer only at the logical end.
  std::string_view View(uint64_t offset, size_t n) const;
  void Truncate(uint64_t size);
  uint64_t size() const;
  const std::string& path() const { return path_; }
  // Writes dirty pages back (msync); `wait` waits for the disk.
  Status Flush(bool wait);
  bool dirty() const { return dirty_; }

 private:
  struct Mapping;
  MappedRegionFile(std::string path, uint64_t capacity, std::unique_ptr<Mapping> m);
  char* data() const;

  std::string path_;
  uint64_t capacity_;
  std::unique_ptr<Mapping> m_;
  bool dirty_ = false;
};

}  // namespace hastore::replicated
