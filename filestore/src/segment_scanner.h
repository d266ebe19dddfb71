// Reads the batches of one segment in order, in large sequential reads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "format.h"
#include "hastore/storage/io.h"

namespace hastore::filestore {

struct ScannedBatch {
  uint64_t offset = 0;  // of the batch header
  uint64_t end = 0;     // offset of the next batch (block-aligned)
  BatchHeader header;
  std::vector<DecodedRecord> records;  // views into the scanner's buffer, valid until Next()
  std::vector<uint64_t> record_offsets;
};

class SegmentScanner {
 public:
  SegmentScanner(const File* file, uint32_t block_size, uint32_t file_number, uint64_t start);

  enum class Outcome { kBatch, kEnd, kBad };
  // kBatch: *batch holds the next valid batch. kEnd: the offset reached end_limit or end of file.
  // kBad: the bytes at offset() are not a valid batch of this segment; *why says what is wrong.
  Outcome Next(uint64_t end_limit, ScannedBatch* batch, std::string* why);
  uint64_t offset() const { return offset_; }
  // True when the block at offset() is all zeros (never written, or pre-written space).
  bool ZeroBlockAtOffset();

  // Direct-Write-With-Cache boot: read batches from `cache`, a buffered mirror of this segment
  // whose first block matches it, for as long as it yields valid batches; at the first offset
  // where it does not (a mirror a crash left behind or tore), go on from the primary file.
  // The mirror never holds a batch the primary lacks: the writer mirrors only synced batches.
  // Next() returns kBad and kEnd only from the primary, so ZeroBlockAtOffset and
  // ValidBatchFollows, asked after those, read the primary.
  void PreferCache(const File* cache);
  // When the batch just returned came from the mirror: rewinds to `offset` (that batch's) on the
  // primary and returns true. False when already reading the primary.
  bool FallBackToPrimary(uint64_t offset);
  // Where reading from the mirror stopped: the bytes before it came from the mirror and
  // match the log. 0 when no mirror was used.
  uint64_t cache_end() const { return on_mirror() ? offset_ : cache_end_; }

  // Is there any valid batch of this segment with seq > after_seq at or beyond offset()?
  // Used to tell a torn tail (nothing valid follows) from damage (valid data follows).
  Result<bool> ValidBatchFollows(uint64_t after_seq, uint64_t* found_at);

 private:
  // Makes [off, off+n) available in buf_; false (with *got short) at end of file.
  Status Fill(uint64_t off, size_t n, bool* complete);
  const char* At(uint64_t off) const { return buf_.get() + (off - buf_offset_); }

  Outcome NextFromFile(uint64_t end_limit, ScannedBatch* batch, std::string* why);
  // Leaves the mirror for the primary file at offset_.
  void SwitchToPrimary();

  bool on_mirror() const { return file_ != primary_; }

  const File* file_;  // the primary, or the mirror while reading from it
  const File* primary_;
  uint64_t cache_end_ = 0;
  uint32_t block_;
  uint32_t file_number_;
  uint64_t offset_;
  size_t read_chunk_;             // bytes the next read asks for (at least)
  std::unique_ptr<char[]> buf_;  // [buf_offset_, buf_offset_ + buf_len_) of the file, not zero-filled
  size_t buf_capacity_ = 0;
  size_t buf_len_ = 0;
  uint64_t buf_offset_ = 0;
};

}  // namespace hastore::filestore
