// The .DAT segment format: constants, layouts and their pure encoders/decoders.
// filestore/FORMAT.md is the specification in prose; keep the two in step.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "hastore/storage/status.h"
#include "hastore/storage/store.h"

namespace hastore::filestore {

static_assert(std::endian::native == std::endian::little, "the formats are little-endian; add byte swaps");

inline constexpr char kSegmentMagic[8] = {'H', 'S', 'T', 'D', 'A', 'T', '0', '1'};
inline constexpr uint32_t kFormatVersion = 1;
inline constexpr size_t kSegmentHeaderSize = 256;
// A segment's block size B (FORMAT.md): a power of two in [kMinBlockSize, kMaxBlockSize].
inline constexpr uint32_t kMinBlockSize = 512;
inline constexpr uint32_t kMaxBlockSize = 8192;
static_assert(kSegmentHeaderSize <= kMinBlockSize, "the header fits in the header block");
inline constexpr uint32_t kBatchMagic = 0x31424448;  // "HDB1"
inline constexpr size_t kBatchHeaderSize = 64;
inline constexpr size_t kRecordHeaderSize = 48;
inline constexpr uint32_t kNoFile = 0xFFFFFFFF;
inline constexpr size_t kMaxInstanceBytes = 128;
// A writable open with epoch e starts handing out handles at e << kHandleEpochShift.
inline constexpr unsigned kHandleEpochShift = 40;

enum class RecordType : uint8_t {
  kCreate = 1,      // a new record: connection, handle, data
  kUpdate = 2,      // new bytes for an existing handle
  kRemove = 3,      // the handle is gone
  kConnection = 4,  // defines connection id -> name (data)
  kMove = 5,        // compaction's copy of a live record to the head of the log
};
inline constexpr uint8_t kLastInTransaction = 0x01;

// The first block of every segment.
struct SegmentHeader {
  uint32_t block_size = 0;
  uint32_t file_number = 0;
  uint64_t epoch = 0;          // owner epoch that created the segment
  uint64_t first_seq = 0;      // sequence number of its first batch
  uint64_t next_handle = 0;    // handle counter when it was created (handles never go back)
  uint64_t next_txn = 0;       // transaction id counter likewise
  uint32_t prev_file = kNoFile;  // the segment before it in the log
  uint64_t prev_end = 0;       // where the log ends in prev_file: bytes past it are ignored
  uint64_t prev_last_seq = 0;  // sequence number of the last batch of prev_file
  std::string instance;
};

struct BatchHeader {
  uint32_t payload_len = 0;  // bytes of records after the header
  uint32_t record_count = 0;
  uint64_t seq = 0;
  uint64_t epoch = 0;
  uint32_t file_number = 0;
};

struct RecordHeader {
  RecordType type = RecordType::kCreate;
  uint8_t flags = 0;
  uint32_t connection = 0;
  Handle handle = 0;
  uint64_t txn = 0;
  uint64_t epoch = 0;
  uint32_t file_number = 0;
  uint32_t data_len = 0;
};

struct DecodedRecord {
  RecordHeader header;
  std::string_view data;
};

inline uint64_t AlignUp(uint64_t v, uint64_t block) { return (v + block - 1) / block * block; }
inline bool ValidBlockSize(uint64_t b) { return b >= kMinBlockSize && b <= kMaxBlockSize && (b & (b - 1)) == 0; }

void EncodeSegmentHeader(const SegmentHeader& h, char out[kSegmentHeaderSize]);
// On failure the status says why (magic, version, checksum, block size); the caller adds file
// and offset.
Status DecodeSegmentHeader(const char* in, size_t n, SegmentHeader* out);

void EncodeBatchHeader(const BatchHeader& h, char out[kBatchHeaderSize]);
// False when the bytes are not a batch header (wrong magic or checksum): zeros, a torn write,
// stale bytes or damage.
bool DecodeBatchHeader(const char* in, BatchHeader* out);

// Writes header and data to out (kRecordHeaderSize + data.size() bytes) and returns that size.
size_t EncodeRecord(const RecordHeader& h, std::string_view data, char* out);
// Decodes the record at in[0, avail); *consumed is its size. Corruption names the reason.
Status DecodeRecord(const char* in, size_t avail, DecodedRecord* out, size_t* consumed);

inline size_t EncodedRecordSize(size_t data_len) { return kRecordHeaderSize + data_len; }

}  // namespace hastore::filestore
