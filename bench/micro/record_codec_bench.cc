// Record encoding and decoding (filestore/src/format.h) at the bench's record sizes.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "format.h"

namespace hastore::filestore {
namespace {

RecordHeader SampleHeader(size_t data_len) {
  return RecordHeader{.type = RecordType::kCreate,
                      .flags = kLastInTransaction,
                      .connection = 1,
                      .handle = 123456789,
                      .txn = 42,
                      .epoch = 3,
                      .file_number = 7,
                      .data_len = static_cast<uint32_t>(data_len)};
}

void BM_EncodeRecord(benchmark::State& state) {
  const std::string data(static_cast<size_t>(state.range(0)), 'x');
  const RecordHeader header = SampleHeader(data.size());
  std::vector<char> out(EncodedRecordSize(data.size()));
  for (auto _ : state) {
    benchmark::DoNotOptimize(EncodeRecord(header, data, out.data()));
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(out.size()));
}
BENCHMARK(BM_EncodeRecord)->Arg(64)->Arg(1024)->Arg(16384);

void BM_DecodeRecord(benchmark::State& state) {
  const std::string data(static_cast<size_t>(state.range(0)), 'x');
  std::vector<char> encoded(EncodedRecordSize(data.size()));
  EncodeRecord(SampleHeader(data.size()), data, encoded.data());
  for (auto _ : state) {
    DecodedRecord record;
    size_t consumed = 0;
    Status st = DecodeRecord(encoded.data(), encoded.size(), &record, &consumed);
    if (!st.ok()) {
      state.SkipWithError(st.ToString().c_str());
      break;
    }
    benchmark::DoNotOptimize(record);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(encoded.size()));
}
BENCHMARK(BM_DecodeRecord)->Arg(64)->Arg(1024)->Arg(16384);

}  // namespace
}  // namespace hastore::filestore
