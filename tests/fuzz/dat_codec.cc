// The .DAT codec (filestore/src/format.h, FORMAT.md): segment header, batch header and the
// records of a batch, decoded from bytes as they come from disk. Invariants: a decoded
// record lies within its input, and whatever decodes re-encodes to the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "format.h"
#include "hastore/internal/check.h"

namespace hastore::filestore {
namespace {

void SegmentHeaderRoundTrip(const char* in, size_t n) {
  SegmentHeader h;
  if (!DecodeSegmentHeader(in, n, &h).ok()) return;
  char out[kSegmentHeaderSize];
  EncodeSegmentHeader(h, out);
  HASTORE_CHECK(std::memcmp(out, in, kSegmentHeaderSize) == 0, "a segment header re-encodes to other bytes");
}

// The records in [in, in + n): each lies within it and re-encodes to its own bytes.
void Records(const char* in, size_t n) {
  std::string again;
  while (n > 0) {
    DecodedRecord r;
    size_t used = 0;
    if (!DecodeRecord(in, n, &r, &used).ok()) return;
    HASTORE_CHECK(used >= kRecordHeaderSize && used <= n, "record of " + std::to_string(used) + " bytes in " + std::to_string(n));
    HASTORE_CHECK(r.data.data() == in + kRecordHeaderSize && r.data.size() == r.header.data_len &&
                      kRecordHeaderSize + r.data.size() == used,
                  "record data outside the record");
    again.resize(EncodedRecordSize(r.data.size()));
    HASTORE_CHECK(EncodeRecord(r.header, r.data, again.data()) == used, "re-encoded record has another size");
    HASTORE_CHECK(std::memcmp(again.data(), in, used) == 0, "a record re-encodes to other bytes");
    in += used;
    n -= used;
  }
}

}  // namespace
}  // namespace hastore::filestore

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hastore::filestore;
  const char* in = reinterpret_cast<const char*>(data);
  SegmentHeaderRoundTrip(in, size);
  BatchHeader h;
  if (size >= kBatchHeaderSize && DecodeBatchHeader(in, &h)) {
    char out[kBatchHeaderSize];
    EncodeBatchHeader(h, out);
    HASTORE_CHECK(std::memcmp(out, in, kBatchHeaderSize) == 0, "a batch header re-encodes to other bytes");
    Records(in + kBatchHeaderSize, std::min<size_t>(h.payload_len, size - kBatchHeaderSize));
  } else {
    Records(in, size);  // records alone: their own checksums still guard them
  }
  return 0;
}
