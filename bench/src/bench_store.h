// The file store every runner measures: the default configuration apart from the sync policy,
// named "bench", and a way to fill it with a live set of records quickly.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hastore/storage/config.h"
#include "hastore/storage/store.h"

namespace hastore::bench {

// Every runner takes records of 1 byte to kMaxRecordSize, the default store.max_record_size:
// a bench can measure any record a store with default settings accepts.
constexpr size_t kMaxRecordSize = size_t{64} << 20;
// kInvalidArgument "<runner>: record size N is not in 1..kMaxRecordSize" otherwise.
Status CheckRecordSize(std::string_view runner, size_t record_size);

StoreConfig BenchStoreConfig(const std::string& dir, SyncPolicy policy, IoEngineChoice engine = IoEngineChoice::kAuto);
Result<std::unique_ptr<Store>> OpenBenchStore(const std::string& dir, SyncPolicy policy,
                                              IoEngineChoice engine = IoEngineChoice::kAuto);

// Creates `count` records of `record_size` bytes in `connection`, from `writers` threads each
// committing transactions of up to `per_commit` creates. Returns the handles in no set order.
Result<std::vector<Handle>> LoadLiveSet(Store& store, const Connection& connection, uint64_t count,
                                        size_t record_size, int writers, int per_commit = 64);

}  // namespace hastore::bench
