// The in-memory map from handle to where the record's newest version lives, with the live
// bytes per segment that compaction works from. Not thread-safe: the store guards it.
#pragma once

#include <cstdint>
#include <map>
#include <unordered_map>
#include <vector>

#include "format.h"
#include "hastore/storage/store.h"

namespace hastore::filestore {

struct Location {
  uint32_t file = 0;        // segment number
  uint32_t connection = 0;
  uint32_t offset = 0;      // of the record header (segments are < 4 GiB)
  uint32_t data_len = 0;
};
static_assert(sizeof(Location) == 16);

class RecordIndex {
 public:
  // Points handle at loc, replacing any earlier version.
  void Put(Handle handle, const Location& loc);
  void Erase(Handle handle);
  const Location* Find(Handle handle) const;

  size_t size() const { return map_.size(); }
  uint64_t data_bytes() const { return data_bytes_; }
  // Bytes the live records take in the log, headers included.
  uint64_t encoded_bytes() const { return data_bytes_ + map_.size() * kRecordHeaderSize; }
  // Bytes (headers included) of live records in a segment.
  uint64_t LiveBytes(uint32_t file) const;
  // The handles of one connection, in handle order.
  std::vector<Handle> HandlesOf(uint32_t connection) const;
  // The live records of one segment, in offset order.
  std::vector<std::pair<Handle, Location>> RecordsIn(uint32_t file) const;
  uint64_t CountOf(uint32_t connection) const;

 private:
  void Account(const Location& loc, int sign);

  std::unordered_map<Handle, Location> map_;
  std::map<uint32_t, uint64_t> live_bytes_;
  std::unordered_map<uint32_t, uint64_t> per_connection_;
  uint64_t data_bytes_ = 0;
};

}  // namespace hastore::filestore
