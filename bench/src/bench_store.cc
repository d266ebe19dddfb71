#include "bench_store.h"

#include <algorithm>
#include <mutex>
#include <thread>

#include "hastore/filestore/file_store.h"
#include "record_fill.h"

namespace hastore::bench {

Status CheckRecordSize(std::string_view runner, size_t record_size) {
  if (record_size > 0 && record_size <= kMaxRecordSize) return Status::Ok();
  return Status::InvalidArgument(std::string(runner) + ": record size " + std::to_string(record_size) + " is not in 1.." +
                                 std::to_string(kMaxRecordSize));
}

StoreConfig BenchStoreConfig(const std::string& dir, SyncPolicy policy, IoEngineChoice engine) {
  StoreConfig config;
  config.name = "bench";
  config.kind = StoreKind::kFile;
  config.file.directory = dir;
  config.file.sync_policy = policy;
  config.file.io_engine = engine;
  return config;
}

Result<std::unique_ptr<Store>> OpenBenchStore(const std::string& dir, SyncPolicy policy, IoEngineChoice engine) {
  return OpenFileStore(BenchStoreConfig(dir, policy, engine), Ownership{.epoch = 0, .holder = "hastore bench"});
}

namespace {

Status LoadSlice(Store& store, const Connection& connection, uint64_t count, size_t record_size, int per_commit,
                 uint64_t seed, std::vector<Handle>* handles) {
  std::string record(record_size, '\0');
  uint64_t rng = seed;
  handles->reserve(count);
  for (uint64_t done = 0; done < count;) {
    Transaction txn = store.Begin();
    const uint64_t n = std::min<uint64_t>(static_cast<uint64_t>(per_commit), count - done);
    std::vector<Handle> made;
    for (uint64_t i = 0; i < n; ++i) {
      FillRecord(record, rng);
      Result<Handle> h = txn.Create(connection, record);
      if (!h.ok()) return h.status();
      made.push_back(*h);
    }
    HASTORE_RETURN_IF_ERROR(store.Commit(std::move(txn)));
    handles->insert(handles->end(), made.begin(), made.end());
    done += n;
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<Handle>> LoadLiveSet(Store& store, const Connection& connection, uint64_t count,
                                        size_t record_size, int writers, int per_commit) {
  writers = std::max(writers, 1);
  per_commit = std::max(per_commit, 1);
  std::vector<std::vector<Handle>> slices(static_cast<size_t>(writers));
  std::vector<Status> results(static_cast<size_t>(writers));
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w) {
    const uint64_t share = count / writers + (static_cast<uint64_t>(w) < count % writers ? 1 : 0);
    threads.emplace_back([&, w, share] {
      results[w] = LoadSlice(store, connection, share, record_size, per_commit, 0x1000u + w, &slices[w]);
    });
  }
  for (std::thread& t : threads) t.join();
  std::vector<Handle> all;
  all.reserve(count);
  for (int w = 0; w < writers; ++w) {
    if (!results[w].ok()) return results[w];
    all.insert(all.end(), slices[w].begin(), slices[w].end());
  }
  return all;
}

}  // namespace hastore::bench
