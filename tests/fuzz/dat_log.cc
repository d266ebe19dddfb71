// A file store's directory built from fields: the input chooses every field of up to three
// segments' headers, batches and records, and the real encoders (format.h) write them with
// valid checksums, so what is behind the checksums is reached: block sizes, file numbers,
// epochs, sequence numbers, seals, payload and record lengths that disagree. Each file may end
// in raw bytes. Then verify, repair and a read-only open (store_directory.h).
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "format.h"
#include "store_directory.h"

namespace hastore::fuzz {
namespace {

using namespace filestore;

// A value near `usual` most of the time, anything now and then.
template <class T>
T Near(FuzzedDataProvider& in, T usual, T spread = 3) {
  if (in.ConsumeIntegralInRange(0, 15) == 0) return in.ConsumeIntegral<T>();
  return usual + in.ConsumeIntegralInRange<T>(0, spread);
}

std::string Records(FuzzedDataProvider& in, uint32_t file, uint64_t epoch, uint32_t* count) {
  std::string out;
  *count = in.ConsumeIntegralInRange<uint32_t>(0, 4);
  for (uint32_t i = 0; i < *count; ++i) {
    RecordHeader h;
    h.type = static_cast<RecordType>(in.ConsumeIntegralInRange(0, 6));
    h.flags = i + 1 == *count ? kLastInTransaction : in.ConsumeIntegral<uint8_t>() & kLastInTransaction;
    h.connection = Near<uint32_t>(in, 1);
    h.handle = Near<uint64_t>(in, 1, 8);
    h.txn = Near<uint64_t>(in, 1, 4);
    h.epoch = Near(in, epoch, uint64_t{0});
    h.file_number = Near(in, file, uint32_t{0});
    const std::string data = in.ConsumeRandomLengthString(64);
    std::string record(EncodedRecordSize(data.size()), '\0');
    EncodeRecord(h, data, record.data());
    out += record;
  }
  return out;
}

std::string Segment(FuzzedDataProvider& in, uint32_t number, uint64_t* seq) {
  SegmentHeader h;
  const uint32_t sizes[] = {512, 1024, 4096};
  h.block_size = in.ConsumeIntegralInRange(0, 15) == 0 ? in.ConsumeIntegral<uint32_t>() : in.PickValueInArray(sizes);
  h.file_number = Near(in, number, uint32_t{0});
  h.epoch = Near<uint64_t>(in, 1);
  h.first_seq = Near(in, *seq, uint64_t{1});
  h.next_handle = Near<uint64_t>(in, 1, 8);
  h.next_txn = Near<uint64_t>(in, 1, 4);
  h.prev_file = number == 0 || in.ConsumeBool() ? kNoFile : Near(in, number - 1, uint32_t{0});
  h.prev_end = Near<uint64_t>(in, 512, 4096);
  h.prev_last_seq = Near(in, *seq - 1, uint64_t{1});
  h.instance = in.ConsumeBool() ? std::string(kInstance) : in.ConsumeRandomLengthString(8);
  const uint64_t block = ValidBlockSize(h.block_size) ? h.block_size : 512;
  std::string out(block, '\0');
  EncodeSegmentHeader(h, out.data());
  const int batches = in.ConsumeIntegralInRange(0, 5);
  for (int b = 0; b < batches; ++b) {
    BatchHeader bh;
    bh.file_number = Near(in, h.file_number, uint32_t{0});
    bh.epoch = Near(in, h.epoch, uint64_t{0});
    bh.seq = Near(in, (*seq)++, uint64_t{0});
    const std::string records = Records(in, bh.file_number, bh.epoch, &bh.record_count);
    bh.payload_len = Near(in, static_cast<uint32_t>(records.size()), uint32_t{0});
    bh.record_count = Near(in, bh.record_count, uint32_t{0});
    std::string batch(kBatchHeaderSize, '\0');
    EncodeBatchHeader(bh, batch.data());
    batch += records;
    batch.resize(AlignUp(batch.size(), block), '\0');
    out += batch;
  }
  if (in.ConsumeIntegralInRange(0, 3) == 0) out += in.ConsumeRandomLengthString(1024);  // a torn tail, stale bytes
  if (in.ConsumeIntegralInRange(0, 7) == 0) out.resize(in.ConsumeIntegralInRange<size_t>(0, out.size()));  // cut short
  return out;
}

}  // namespace
}  // namespace hastore::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  hastore::FaultFileSystem fs;
  const uint32_t files = in.ConsumeIntegralInRange<uint32_t>(1, 3);
  uint64_t seq = 1;
  for (uint32_t n = 0; n < files; ++n) hastore::fuzz::PutSegmentFile(fs, n, hastore::fuzz::Segment(in, n, &seq));
  hastore::fuzz::VerifyAndRepair(fs);
  return 0;
}
