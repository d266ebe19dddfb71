#include "format.h"

#include <cstring>

#include "hastore/internal/check.h"
#include "hastore/storage/checksum.h"

namespace hastore::filestore {
namespace {

template <class T>
void Put(char* out, size_t at, T v) {
  std::memcpy(out + at, &v, sizeof v);
}
template <class T>
T Get(const char* in, size_t at) {
  T v;
  std::memcpy(&v, in + at, sizeof v);
  return v;
}

constexpr size_t kSegmentChecksumAt = kSegmentHeaderSize - 8;
constexpr size_t kBatchChecksumAt = kBatchHeaderSize - 8;
constexpr size_t kRecordChecksumAt = kRecordHeaderSize - 8;

}  // namespace

void EncodeSegmentHeader(const SegmentHeader& h, char out[kSegmentHeaderSize]) {
  std::memset(out, 0, kSegmentHeaderSize);
  std::memcpy(out, kSegmentMagic, sizeof kSegmentMagic);
  Put<uint32_t>(out, 8, kFormatVersion);
  Put<uint32_t>(out, 12, h.block_size);
  Put<uint32_t>(out, 16, h.file_number);
  Put<uint64_t>(out, 24, h.epoch);
  Put<uint64_t>(out, 32, h.first_seq);
  Put<uint64_t>(out, 40, h.next_handle);
  Put<uint64_t>(out, 48, h.next_txn);
  Put<uint32_t>(out, 56, h.prev_file);
  Put<uint64_t>(out, 64, h.prev_end);
  Put<uint64_t>(out, 72, h.prev_last_seq);
  const size_t n = std::min(h.instance.size(), kMaxInstanceBytes);
  Put<uint16_t>(out, 80, static_cast<uint16_t>(n));
  std::memcpy(out + 82, h.instance.data(), n);
  Put<uint64_t>(out, kSegmentChecksumAt, Checksum(out, kSegmentChecksumAt));
}

Status DecodeSegmentHeader(const char* in, size_t n, SegmentHeader* out) {
  if (n < kSegmentHeaderSize) return Status::Corruption("segment header is short (" + std::to_string(n) + " bytes)");
  if (std::memcmp(in, kSegmentMagic, sizeof kSegmentMagic) != 0) return Status::Corruption("bad segment magic");
  if (Get<uint64_t>(in, kSegmentChecksumAt) != Checksum(in, kSegmentChecksumAt)) {
    return Status::Corruption("segment header checksum mismatch");
  }
  const uint32_t version = Get<uint32_t>(in, 8);
  if (version != kFormatVersion) return Status::Corruption("unknown format version " + std::to_string(version));
  out->block_size = Get<uint32_t>(in, 12);
  // Every reader divides and steps by it: a bad one is damage, never a division by zero.
  if (!ValidBlockSize(out->block_size)) return Status::Corruption("bad block size " + std::to_string(out->block_size));
  out->file_number = Get<uint32_t>(in, 16);
  out->epoch = Get<uint64_t>(in, 24);
  out->first_seq = Get<uint64_t>(in, 32);
  out->next_handle = Get<uint64_t>(in, 40);
  out->next_txn = Get<uint64_t>(in, 48);
  out->prev_file = Get<uint32_t>(in, 56);
  out->prev_end = Get<uint64_t>(in, 64);
  out->prev_last_seq = Get<uint64_t>(in, 72);
  const size_t len = Get<uint16_t>(in, 80);
  if (len > kMaxInstanceBytes) return Status::Corruption("segment header instance name too long");
  out->instance.assign(in + 82, len);
  return Status::Ok();
}

void EncodeBatchHeader(const BatchHeader& h, char out[kBatchHeaderSize]) {
  std::memset(out, 0, kBatchHeaderSize);
  Put<uint32_t>(out, 0, kBatchMagic);
  Put<uint32_t>(out, 4, h.payload_len);
  Put<uint64_t>(out, 8, h.seq);
  Put<uint64_t>(out, 16, h.epoch);
  Put<uint32_t>(out, 24, h.file_number);
  Put<uint32_t>(out, 28, h.record_count);
  Put<uint64_t>(out, kBatchChecksumAt, Checksum(out, kBatchChecksumAt));
}

bool DecodeBatchHeader(const char* in, BatchHeader* out) {
  if (Get<uint32_t>(in, 0) != kBatchMagic) return false;
  if (Get<uint64_t>(in, kBatchChecksumAt) != Checksum(in, kBatchChecksumAt)) return false;
  out->payload_len = Get<uint32_t>(in, 4);
  out->seq = Get<uint64_t>(in, 8);
  out->epoch = Get<uint64_t>(in, 16);
  out->file_number = Get<uint32_t>(in, 24);
  out->record_count = Get<uint32_t>(in, 28);
  return true;
}

size_t EncodeRecord(const RecordHeader& h, std::string_view data, char* out) {
  Put<uint8_t>(out, 0, static_cast<uint8_t>(h.type));
  Put<uint8_t>(out, 1, h.flags);
  Put<uint16_t>(out, 2, 0);
  Put<uint32_t>(out, 4, h.connection);
  Put<uint64_t>(out, 8, h.handle);
  Put<uint64_t>(out, 16, h.txn);
  Put<uint64_t>(out, 24, h.epoch);
  Put<uint32_t>(out, 32, h.file_number);
  Put<uint32_t>(out, 36, static_cast<uint32_t>(data.size()));
  std::memcpy(out + kRecordHeaderSize, data.data(), data.size());
  // One checksum covers the header fields and the data, so neither can be torn or damaged alone.
  ChecksumStream sum;
  sum.Update(out, kRecordChecksumAt);
  sum.Update(data.data(), data.size());
  Put<uint64_t>(out, kRecordChecksumAt, sum.Digest());
  return kRecordHeaderSize + data.size();
}

Status DecodeRecord(const char* in, size_t avail, DecodedRecord* out, size_t* consumed) {
  if (avail < kRecordHeaderSize) return Status::Corruption("record header runs past its batch");
  RecordHeader& h = out->header;
  const uint8_t type = Get<uint8_t>(in, 0);
  if (type < 1 || type > 5) return Status::Corruption("unknown record type " + std::to_string(type));
  h.type = static_cast<RecordType>(type);
  h.flags = Get<uint8_t>(in, 1);
  h.connection = Get<uint32_t>(in, 4);
  h.handle = Get<uint64_t>(in, 8);
  h.txn = Get<uint64_t>(in, 16);
  h.epoch = Get<uint64_t>(in, 24);
  h.file_number = Get<uint32_t>(in, 32);
  h.data_len = Get<uint32_t>(in, 36);
  if (h.data_len > avail - kRecordHeaderSize) return Status::Corruption("record data runs past its batch");
  ChecksumStream sum;
  sum.Update(in, kRecordChecksumAt);
  sum.Update(in + kRecordHeaderSize, h.data_len);
  if (sum.Digest() != Get<uint64_t>(in, kRecordChecksumAt)) return Status::Corruption("record checksum mismatch");
  out->data = std::string_view(in + kRecordHeaderSize, h.data_len);
  *consumed = kRecordHeaderSize + h.data_len;
  HASTORE_CHECK(*consumed <= avail, "record of " + std::to_string(*consumed) + " bytes decoded from " + std::to_string(avail));
  return Status::Ok();
}

}  // namespace hastore::filestore
