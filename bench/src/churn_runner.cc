// RunChurnBench: a live set replaced over and over by concurrent writers, with a sampler thread
// watching how much disk the store's files take.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench_store.h"
#include "hastore/bench/churn.h"
#include "host_measure.h"
#include "record_fill.h"
#include "scratch_dir.h"

namespace hastore::bench {

namespace {

constexpr auto kSampleEvery = std::chrono::milliseconds(10);

// Records the largest sizes of dir's files until stopped.
class DiskSampler {
 public:
  explicit DiskSampler(std::string dir) : dir_(std::move(dir)), thread_([this] { Run(); }) {}
  ~DiskSampler() { Stop(); }

  void Stop() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  // Read after Stop().
  uint64_t max_apparent() const { return max_apparent_; }
  uint64_t max_allocated() const { return max_allocated_; }

 private:
  void Run() {
    std::unique_lock lock(mu_);
    do {
      const DirUsage u = MeasureDir(dir_);
      max_apparent_ = std::max(max_apparent_, u.apparent);
      max_allocated_ = std::max(max_allocated_, u.allocated);
    } while (!cv_.wait_for(lock, kSampleEvery, [this] { return stop_; }));
  }

  const std::string dir_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  uint64_t max_apparent_ = 0;  // sampler thread only, until joined
  uint64_t max_allocated_ = 0;
  std::thread thread_;
};

struct ChurnCounters {
  std::atomic<int64_t> budget;  // record bytes still to create
  std::atomic<uint64_t> commits{0};
  std::atomic<uint64_t> created{0};
};

// One writer: replaces records of its own slice of the live set (oldest first, or chosen at
// random) until the shared budget of created bytes is spent.
Status ChurnSlice(Store& store, const Connection& connection, std::vector<Handle> slice, const ChurnOptions& o,
                  uint64_t seed, ChurnCounters& counters) {
  std::string record(o.record_size, '\0');
  uint64_t rng = seed;
  uint64_t pick = seed * 0x2545F4914F6CDD1Dull;
  size_t next = 0;
  const size_t per_commit = std::min(slice.size(), static_cast<size_t>(o.replacements_per_commit));
  const uint64_t bytes_per_commit = per_commit * o.record_size;
  while (counters.budget.fetch_sub(static_cast<int64_t>(bytes_per_commit)) > 0) {
    Transaction txn = store.Begin();
    std::vector<std::pair<size_t, Handle>> made;
    for (size_t i = 0; i < per_commit; ++i) {
      if (o.random) {  // xorshift64, drawing again for a slot this transaction already replaces
        auto taken = [&](size_t at) { return std::any_of(made.begin(), made.end(), [&](const auto& m) { return m.first == at; }); };
        do {
          pick ^= pick << 13, pick ^= pick >> 7, pick ^= pick << 17;
          next = pick % slice.size();
        } while (taken(next));
      } else {
        next = (next + 1) % slice.size();
      }
      HASTORE_RETURN_IF_ERROR(txn.Remove(slice[next]));
      FillRecord(record, rng);
      Result<Handle> h = txn.Create(connection, record);
      if (!h.ok()) return h.status();
      made.emplace_back(next, *h);
    }
    HASTORE_RETURN_IF_ERROR(store.Commit(std::move(txn)));
    for (const auto& [at, handle] : made) slice[at] = handle;
    counters.commits.fetch_add(1, std::memory_order_relaxed);
    counters.created.fetch_add(made.size() * o.record_size, std::memory_order_relaxed);
  }
  return Status::Ok();
}

Status Churn(const std::string& dir, const ChurnOptions& o, SyncPolicy policy, std::ostream& progress, ChurnReport* r) {
  Result<std::unique_ptr<Store>> store = OpenBenchStore(dir, policy);
  if (!store.ok()) return store.status();
  Result<Connection> connection = (*store)->OpenConnection("bench");
  if (!connection.ok()) return connection.status();

  const uint64_t live = o.live_bytes / o.record_size;
  progress << "loading " << live << " live records of " << o.record_size << " bytes" << std::endl;
  Result<std::vector<Handle>> handles = LoadLiveSet(**store, *connection, live, o.record_size, o.writers);
  if (!handles.ok()) return handles.status();

  progress << "churning " << o.traffic_bytes << " bytes through " << o.writers << " writers" << std::endl;
  DiskSampler sampler(dir);
  ChurnCounters counters{.budget = static_cast<int64_t>(o.traffic_bytes)};
  std::vector<Status> results(static_cast<size_t>(o.writers));
  std::vector<std::thread> threads;
  const auto start = std::chrono::steady_clock::now();
  for (int w = 0; w < o.writers; ++w) {
    std::vector<Handle> slice;
    for (size_t i = static_cast<size_t>(w); i < handles->size(); i += static_cast<size_t>(o.writers)) {
      slice.push_back((*handles)[i]);
    }
    threads.emplace_back([&, w, slice = std::move(slice)]() mutable {
      results[w] = ChurnSlice(**store, *connection, std::move(slice), o, 0x5000u + w, counters);
    });
  }
  for (std::thread& t : threads) t.join();
  r->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  sampler.Stop();
  for (const Status& s : results) HASTORE_RETURN_IF_ERROR(s);

  const StoreStats stats = (*store)->Stats();
  for (const auto& [key, value] : stats.details) {
    if (key == "compacted_segments") r->segments_compacted = std::stoull(value);
    if (key == "compacted_bytes") r->bytes_compacted = std::stoull(value);
  }
  r->live_records = stats.records;
  r->commits = counters.commits.load();
  r->created_bytes = counters.created.load();
  const DirUsage final_usage = MeasureDir(dir);  // compaction may have gone on since the last sample
  r->final_file_bytes = final_usage.apparent;
  r->max_file_bytes = std::max(sampler.max_apparent(), final_usage.apparent);
  r->max_allocated_bytes = std::max(sampler.max_allocated(), final_usage.allocated);
  return (*store)->Close();
}

}  // namespace

Result<ChurnReport> RunChurnBench(const ChurnOptions& options, std::ostream& progress) {
  HASTORE_RETURN_IF_ERROR(CheckRecordSize("bench churn", options.record_size));
  if (options.writers < 1 || options.replacements_per_commit < 1) {
    return Status::InvalidArgument("bench churn: writers and replacements per commit must be at least 1");
  }
  if (options.live_bytes / options.record_size < static_cast<uint64_t>(options.writers)) {
    return Status::InvalidArgument("bench churn: the live set needs at least one record per writer");
  }
  Result<SyncPolicy> policy = ParseSyncPolicy(options.policy);
  if (!policy.ok()) return Status::InvalidArgument("bench churn: " + policy.status().message());
  Result<WorkDir> work = OpenWorkDir(options.dir, "hastore-bench");
  if (!work.ok()) return work.status();
  Result<std::unique_ptr<ScratchDir>> dir = ScratchDir::Make(work->path, "churn");
  if (!dir.ok()) return dir.status();
  ChurnReport report;
  HASTORE_RETURN_IF_ERROR(Churn((*dir)->path(), options, *policy, progress, &report));
  return report;
}

}  // namespace hastore::bench
