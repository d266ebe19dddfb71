#include "batch_builder.h"

#include <cstring>

namespace hastore::filestore {

void BatchBuilder::Reset(uint32_t file_number, uint64_t epoch) {
  len_ = kBatchHeaderSize;
  records_ = 0;
  file_number_ = file_number;
  epoch_ = epoch;
}

uint64_t BatchBuilder::Add(const RecordHeader& h, std::string_view data) {
  buf_.Reserve(AlignUp(len_ + EncodedRecordSize(data.size()), block_), len_);
  RecordHeader rec = h;
  rec.file_number = file_number_;
  rec.epoch = epoch_;
  const uint64_t at = len_;
  len_ += EncodeRecord(rec, data, buf_.data() + len_);
  ++records_;
  return at;
}

size_t BatchBuilder::Finish(uint64_t seq) {
  buf_.Reserve(AlignUp(len_, block_), len_);
  BatchHeader h;
  h.payload_len = static_cast<uint32_t>(len_ - kBatchHeaderSize);
  h.record_count = records_;
  h.seq = seq;
  h.epoch = epoch_;
  h.file_number = file_number_;
  EncodeBatchHeader(h, buf_.data());
  const size_t aligned = AlignUp(len_, block_);
  std::memset(buf_.data() + len_, 0, aligned - len_);
  return aligned;
}

}  // namespace hastore::filestore
