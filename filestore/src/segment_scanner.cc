#include "segment_scanner.h"

#include <algorithm>

#include "hastore/internal/check.h"

namespace hastore::filestore {
namespace {
// Reads start small and double while the segment goes on: a small segment (and recovery reads
// a damaged header's file with five scanners) does not cost 4 MiB of buffer each.
constexpr size_t kFirstReadChunk = 64u << 10;
constexpr size_t kReadChunk = 4u << 20;
}

SegmentScanner::SegmentScanner(const File* file, uint32_t block_size, uint32_t file_number, uint64_t start)
    : file_(file), primary_(file), block_(block_size), file_number_(file_number), offset_(start),
      read_chunk_(kFirstReadChunk) {
  // Batches are block-aligned and ValidBatchFollows steps by blocks; block sizes read from disk
  // are validated by DecodeSegmentHeader.
  HASTORE_CHECK(ValidBlockSize(block_), "block size " + std::to_string(block_));
}

void SegmentScanner::PreferCache(const File* cache) {
  file_ = cache;
  buf_len_ = 0;
  buf_offset_ = 0;
}

void SegmentScanner::SwitchToPrimary() {
  cache_end_ = offset_;
  file_ = primary_;
  buf_len_ = 0;
  buf_offset_ = 0;
}

bool SegmentScanner::FallBackToPrimary(uint64_t offset) {
  if (!on_mirror()) return false;
  offset_ = offset;
  SwitchToPrimary();
  return true;
}

SegmentScanner::Outcome SegmentScanner::Next(uint64_t end_limit, ScannedBatch* batch, std::string* why) {
  if (!on_mirror()) return NextFromFile(end_limit, batch, why);
  const Outcome from_cache = NextFromFile(end_limit, batch, why);
  if (from_cache == Outcome::kBatch || offset_ >= end_limit) return from_cache;
  batch->records.clear();  // they point into the mirror's buffer, about to be dropped
  SwitchToPrimary();
  return NextFromFile(end_limit, batch, why);
}

Status SegmentScanner::Fill(uint64_t off, size_t n, bool* complete) {
  if (off >= buf_offset_ && off + n <= buf_offset_ + buf_len_) {
    *complete = true;
    return Status::Ok();
  }
  const size_t want = std::max(n, read_chunk_);
  if (want > buf_capacity_) {
    buf_ = std::make_unique_for_overwrite<char[]>(want);
    buf_capacity_ = want;
  }
  buf_len_ = 0;  // a failed read leaves nothing behind that looks valid
  size_t got = 0;
  HASTORE_RETURN_IF_ERROR(file_->Read(off, buf_.get(), want, &got));
  buf_len_ = got;
  buf_offset_ = off;
  if (got == want) read_chunk_ = std::min(kReadChunk, read_chunk_ * 2);
  *complete = got >= n;
  return Status::Ok();
}

SegmentScanner::Outcome SegmentScanner::NextFromFile(uint64_t end_limit, ScannedBatch* batch, std::string* why) {
  if (offset_ >= end_limit) return Outcome::kEnd;
  bool complete = false;
  Status s = Fill(offset_, kBatchHeaderSize, &complete);
  if (!s.ok()) {
    *why = s.ToString();
    return Outcome::kBad;
  }
  if (!complete) {
    if (buf_len_ == 0 || offset_ >= buf_offset_ + buf_len_) return Outcome::kEnd;  // end of file
    *why = "batch header cut short by end of file";
    return Outcome::kBad;
  }
  BatchHeader h;
  if (!DecodeBatchHeader(At(offset_), &h)) {
    *why = "no valid batch header";
    return Outcome::kBad;
  }
  if (h.file_number != file_number_) {
    *why = "batch belongs to file number " + std::to_string(h.file_number);
    return Outcome::kBad;
  }
  const uint64_t total = kBatchHeaderSize + static_cast<uint64_t>(h.payload_len);
  if (offset_ + total > buf_offset_ + buf_len_) {
    // Beyond what is buffered: the file must hold it before a buffer is made for it (a damaged
    // payload_len would otherwise ask for up to 4 GiB; found by the dat_log fuzz target).
    Result<uint64_t> size = file_->Size();
    if (!size.ok()) {
      *why = size.status().ToString();
      return Outcome::kBad;
    }
    if (offset_ + total > *size) {
      *why = "batch of " + std::to_string(total) + " bytes cut short by end of file";
      return Outcome::kBad;
    }
  }
  s = Fill(offset_, total, &complete);
  if (!s.ok() || !complete) {
    *why = s.ok() ? "batch of " + std::to_string(total) + " bytes cut short by end of file" : s.ToString();
    return Outcome::kBad;
  }
  HASTORE_CHECK(offset_ >= buf_offset_ && offset_ + total <= buf_offset_ + buf_len_,
                "batch at " + std::to_string(offset_) + " is not all in the buffer");
  batch->offset = offset_;
  batch->end = AlignUp(offset_ + total, block_);
  batch->header = h;
  batch->records.clear();
  batch->record_offsets.clear();
  const char* p = At(offset_) + kBatchHeaderSize;
  size_t left = h.payload_len;
  uint64_t rec_off = offset_ + kBatchHeaderSize;
  for (uint32_t i = 0; i < h.record_count; ++i) {
    DecodedRecord r;
    size_t used = 0;
    Status rs = DecodeRecord(p, left, &r, &used);
    if (!rs.ok()) {
      *why = rs.message() + " at offset " + std::to_string(rec_off);
      return Outcome::kBad;
    }
    if (r.header.file_number != file_number_ || r.header.epoch != h.epoch) {
      *why = "record at offset " + std::to_string(rec_off) + " does not belong to its batch";
      return Outcome::kBad;
    }
    HASTORE_CHECK(used <= left, "record of " + std::to_string(used) + " bytes in " + std::to_string(left) + " left");
    batch->records.push_back(r);
    batch->record_offsets.push_back(rec_off);
    p += used;
    left -= used;
    rec_off += used;
  }
  if (left != 0) {
    *why = "batch payload has " + std::to_string(left) + " bytes after its last record";
    return Outcome::kBad;
  }
  if (!batch->records.empty() && !(batch->records.back().header.flags & kLastInTransaction)) {
    *why = "batch ends inside a transaction";
    return Outcome::kBad;
  }
  offset_ = batch->end;
  return Outcome::kBatch;
}

bool SegmentScanner::ZeroBlockAtOffset() {
  bool complete = false;
  if (!Fill(offset_, block_, &complete).ok() || !complete) return false;
  const char* p = At(offset_);
  for (uint32_t i = 0; i < block_; ++i) {
    if (p[i] != 0) return false;
  }
  return true;
}

Result<bool> SegmentScanner::ValidBatchFollows(uint64_t after_seq, uint64_t* found_at) {
  // The writer keeps at most one batch unsynced, so after a crash nothing valid can follow a
  // torn batch; a valid later batch means bytes that were once durable are now damaged.
  uint64_t off = offset_ + block_;
  for (;;) {
    bool complete = false;
    HASTORE_RETURN_IF_ERROR(Fill(off, kBatchHeaderSize, &complete));
    if (!complete) return false;
    BatchHeader h;
    if (DecodeBatchHeader(At(off), &h) && h.file_number == file_number_ && h.seq > after_seq) {
      *found_at = off;
      return true;
    }
    off += block_;
  }
}

}  // namespace hastore::filestore
