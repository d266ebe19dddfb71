// Lays out one group-commit batch in a block-aligned buffer: the batch header, the records of
// every transaction in the group, zero padding to the next block. Owned by the writer thread.
#pragma once

#include <cstdint>
#include <string_view>

#include "aligned_buffer.h"
#include "format.h"

namespace hastore::filestore {

class BatchBuilder {
 public:
  explicit BatchBuilder(uint32_t block_size) : block_(block_size) {}

  // Starts an empty batch for segment file_number, written by epoch.
  void Reset(uint32_t file_number, uint64_t epoch);
  // Appends a record (h.flags marks the last record of a transaction); returns its offset
  // within the batch. File number and epoch are the batch's.
  uint64_t Add(const RecordHeader& h, std::string_view data);
  // Writes the header and padding; returns the aligned bytes to write from data().
  size_t Finish(uint64_t seq);

  const char* data() const { return buf_.data(); }
  size_t payload_bytes() const { return len_ - kBatchHeaderSize; }
  uint32_t record_count() const { return records_; }
  // Bytes the batch would take, aligned, after adding `more` bytes of records.
  uint64_t AlignedSizeWith(uint64_t more) const { return AlignUp(len_ + more, block_); }

 private:
  uint32_t block_;
  AlignedBuffer buf_;
  size_t len_ = kBatchHeaderSize;
  uint32_t records_ = 0;
  uint32_t file_number_ = 0;
  uint64_t epoch_ = 0;
};

}  // namespace hastore::filestore
