// The record index (filestore/src/record_index.h) holding 1M live records: the cost of one
// Put, Find and Erase at that size.
#include <benchmark/benchmark.h>

#include "record_index.h"

namespace hastore::filestore {
namespace {

constexpr Handle kLive = 1'000'000;

Location LocationOf(Handle h) {
  return Location{.file = static_cast<uint32_t>(h >> 16), .connection = 1,
                  .offset = static_cast<uint32_t>(h * 64), .data_len = 1024};
}

void Fill(RecordIndex& index) {
  for (Handle h = 0; h < kLive; ++h) index.Put(h, LocationOf(h));
}

// A handle of the live set, visited in a scattered order.
Handle Scattered(uint64_t i) { return (i * 2654435761ull) % kLive; }

void BM_IndexFind(benchmark::State& state) {
  RecordIndex index;
  Fill(index);
  uint64_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(index.Find(Scattered(i++)));
}
BENCHMARK(BM_IndexFind);

// Replaces the newest version of a live record: the index stays at 1M entries.
void BM_IndexPutReplace(benchmark::State& state) {
  RecordIndex index;
  Fill(index);
  uint64_t i = 0;
  for (auto _ : state) {
    const Handle h = Scattered(i++);
    index.Put(h, LocationOf(h + 1));
  }
}
BENCHMARK(BM_IndexPutReplace);

// Erases one record and creates a new one, as a create/delete workload with a constant live set
// does: the index stays at 1M entries.
void BM_IndexEraseAndPut(benchmark::State& state) {
  RecordIndex index;
  Fill(index);
  Handle oldest = 0;
  Handle next = kLive;
  for (auto _ : state) {
    index.Erase(oldest++);
    index.Put(next, LocationOf(next));
    ++next;
  }
}
BENCHMARK(BM_IndexEraseAndPut);

}  // namespace
}  // namespace hastore::filestore
