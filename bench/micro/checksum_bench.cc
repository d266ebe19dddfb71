// XXH3-64 (hastore/storage/checksum.h), one shot, at a small record, a page and a large record.
#include <benchmark/benchmark.h>

#include <string>

#include "hastore/storage/checksum.h"

namespace hastore {
namespace {

void BM_Checksum(benchmark::State& state) {
  const std::string data(static_cast<size_t>(state.range(0)), 'x');
  for (auto _ : state) benchmark::DoNotOptimize(Checksum(data));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Checksum)->Arg(64)->Arg(1024)->Arg(16384);

}  // namespace
}  // namespace hastore
