#include "filestore/fault_workload.h"

#include "hastore/storage/log.h"

#include <algorithm>
#include <cstdlib>
#include <sstream>
#include <utility>
#include <vector>

#include "hastore/filestore/inspect.h"

namespace hastore::testing {
namespace {

constexpr const char* kConnectionNames[2] = {"queue/alpha", "topic/beta-\xc3\xbc"};

// Record sizes the workload cycles through: tiny, empty and 20-60 KiB ones.
constexpr size_t kSizes[] = {180, 48u << 10, 2u << 10, 60u << 10, 23u << 10, 0,
                             37u << 10, 9, 52u << 10, 31u << 10, 56u << 10, 44u << 10};
size_t SizeAt(int i) { return kSizes[static_cast<size_t>(i) % std::size(kSizes)]; }

// Where a handle lives in an image.
const std::string* ConnectionOf(const StoreImage& image, Handle h) {
  for (const auto& [name, records] : image.connections) {
    if (records.count(h) != 0) return &name;
  }
  return nullptr;
}

// The live handles of an image in handle order: what the workload updates and removes.
std::vector<Handle> LiveHandles(const StoreImage& image) {
  std::vector<Handle> out;
  for (const auto& [name, records] : image.connections) {
    for (const auto& [h, data] : records) out.push_back(h);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

StoreConfig FaultStoreConfig(SyncPolicy policy, const std::string& name) {
  StoreConfig config;
  config.name = name;
  config.file.directory = kFaultDir;
  config.file.sync_policy = policy;
  config.file.max_file_size = 1048576;
  return config;
}

Result<std::unique_ptr<Store>> OpenStoreOn(FileSystem& fs, const StoreConfig& config, const Ownership& ownership) {
  return OpenFileStore(config, ownership, FileStoreOptions{.fs = &fs, .background_compaction = false});
}

std::string RecordData(int step, int op, size_t size) {
  std::string out(size, '\0');
  uint64_t x = (static_cast<uint64_t>(step) + 1) * 0x9E3779B97F4A7C15ull ^ (static_cast<uint64_t>(op) + 1) * 0xD1B54A32D192ED03ull;
  for (char& c : out) {
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    c = static_cast<char>((x * 0x2545F4914F6CDD1Dull) >> 56);
  }
  const std::string tag = "s" + std::to_string(step) + "." + std::to_string(op) + "|";
  std::copy_n(tag.begin(), std::min(tag.size(), size), out.begin());
  return out;
}

WorkloadRun RunWorkload(FileSystem& fs, const StoreConfig& config, WorkloadShape shape) {
  WorkloadRun run;
  auto opened = OpenStoreOn(fs, config);
  if (!opened.ok()) {
    run.stopped = opened.status();
    return run;
  }
  run.store = std::move(opened).value();
  Store& store = *run.store;

  std::vector<Connection> conns;
  for (const char* name : kConnectionNames) {
    auto c = store.OpenConnection(name);
    if (!c.ok()) {
      run.stopped = c.status();
      run.in_flight = run.acked;
      run.in_flight->connections[name];
      return run;
    }
    run.acked.connections[name];
    conns.push_back(*c);
    ++run.acked_steps;
  }

  for (int t = 0; t < shape.transactions; ++t) {
    const int step = t + 2;
    StoreImage after = run.acked;
    const std::vector<Handle> live = LiveHandles(run.acked);
    Transaction txn = store.Begin();
    int op = 0;
    bool built = true;
    auto create = [&](const Connection& c, size_t size) {
      std::string data = RecordData(step, op++, size);
      auto h = txn.Create(c, data);
      if (!h.ok()) {
        ADD_FAILURE() << "step " << step << ": create: " << h.status().ToString();
        built = false;
        return;
      }
      run.handles.insert(*h);
      after.connections[c.name][*h] = std::move(data);
    };
    auto update = [&](Handle h, size_t size) {
      std::string data = RecordData(step, op++, size);
      Status s = txn.Update(h, data);
      if (!s.ok()) {
        ADD_FAILURE() << "step " << step << ": update " << h << ": " << s.ToString();
        built = false;
        return;
      }
      after.connections[*ConnectionOf(after, h)][h] = std::move(data);
    };
    auto remove = [&](Handle h) {
      Status s = txn.Remove(h);
      if (!s.ok()) {
        ADD_FAILURE() << "step " << step << ": remove " << h << ": " << s.ToString();
        built = false;
        return;
      }
      after.connections[*ConnectionOf(after, h)].erase(h);
    };

    create(conns[t % 2], SizeAt(3 * t));
    if (t % 2 == 0) create(conns[1 - t % 2], SizeAt(3 * t + 1));
    if (t % 3 == 2 && !live.empty()) update(live[(7 * t) % live.size()], SizeAt(3 * t + 2));
    // Sometimes the handle just updated: an update and a remove of one record in one transaction.
    if (t % 4 == 3 && live.size() > 3) remove(live[(5 * t + 1) % live.size()]);
    if (t % 5 == 4) {  // a multi-op transaction over both connections
      create(conns[0], SizeAt(t + 5));
      create(conns[1], SizeAt(t + 7));
    }
    if (!built) {
      run.stopped = Status::InvalidArgument("the workload could not build step " + std::to_string(step));
      return run;
    }
    Status s = store.Commit(std::move(txn));
    if (!s.ok()) {
      run.stopped = s;
      run.in_flight = std::move(after);
      return run;
    }
    run.acked = std::move(after);
    ++run.acked_steps;
    if (t == shape.compact_after) {
      auto compacted = CompactFileStore(store, true);
      if (!compacted.ok()) {
        run.stopped = compacted.status();
        return run;
      }
      if (*compacted == 0) ADD_FAILURE() << "the forced compaction removed no segment";
    }
  }
  return run;
}

std::string DescribeDifference(const StoreImage& want, const StoreImage& got) {
  std::ostringstream out;
  int shown = 0;
  auto note = [&](const std::string& line) {
    if (shown++ < 12) out << "\n    " << line;
  };
  for (const auto& [name, records] : want.connections) {
    auto it = got.connections.find(name);
    if (it == got.connections.end()) {
      note("connection '" + name + "' is missing (" + std::to_string(records.size()) + " records)");
      continue;
    }
    for (const auto& [h, data] : records) {
      auto r = it->second.find(h);
      if (r == it->second.end()) {
        note("'" + name + "': handle " + std::to_string(h) + " (" + std::to_string(data.size()) + " bytes) is missing");
      } else if (r->second != data) {
        note("'" + name + "': handle " + std::to_string(h) + " holds " + std::to_string(r->second.size()) +
             " bytes that differ from the " + std::to_string(data.size()) + " expected");
      }
    }
    for (const auto& [h, data] : it->second) {
      if (records.count(h) == 0) {
        note("'" + name + "': handle " + std::to_string(h) + " (" + std::to_string(data.size()) + " bytes) is extra");
      }
    }
  }
  for (const auto& [name, records] : got.connections) {
    if (want.connections.count(name) == 0) {
      note("connection '" + name + "' is extra (" + std::to_string(records.size()) + " records)");
    }
  }
  if (shown > 12) out << "\n    ... " << shown - 12 << " more";
  return shown == 0 ? std::string(" (none)") : out.str();
}

::testing::AssertionResult ReadImage(const Store& store, const std::set<Handle>& handles, StoreImage* out) {
  out->connections.clear();
  std::map<Handle, const std::string*> scanned;
  for (const Connection& c : store.Connections()) {
    auto& records = out->connections[c.name];
    Status s = store.Scan(c, [&](Handle h, std::string_view data) {
      records[h] = std::string(data);
      return true;
    });
    if (!s.ok()) return ::testing::AssertionFailure() << "scan of '" << c.name << "': " << s.ToString();
    for (const auto& [h, data] : records) {
      if (!scanned.emplace(h, &data).second) {
        return ::testing::AssertionFailure() << "handle " << h << " is in two connections";
      }
    }
  }
  for (Handle h : handles) {
    auto r = store.Read(h);
    auto it = scanned.find(h);
    if (r.ok()) {
      if (it == scanned.end()) {
        return ::testing::AssertionFailure() << "Read(" << h << ") returns " << r->size() << " bytes, but no scan returns it";
      }
      if (*r != *it->second) return ::testing::AssertionFailure() << "Read(" << h << ") and Scan disagree";
    } else if (r.status().code() == StatusCode::kNotFound) {
      if (it != scanned.end()) {
        return ::testing::AssertionFailure() << "a scan returns handle " << h << " but Read says " << r.status().ToString();
      }
    } else {
      return ::testing::AssertionFailure() << "Read(" << h << "): " << r.status().ToString();
    }
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult HoldsAckedState(const Store& store, const WorkloadRun& run, StoreImage* matched) {
  StoreImage got;
  if (auto r = ReadImage(store, run.handles, &got); !r) return r;
  if (got == run.acked || (run.in_flight && got == *run.in_flight)) {
    *matched = std::move(got);
    return ::testing::AssertionSuccess();
  }
  auto failure = ::testing::AssertionFailure();
  failure << "the recovered store holds neither the " << run.acked_steps << " acknowledged steps";
  failure << (run.in_flight ? " nor those plus the one in flight" : " (none was in flight)");
  failure << "\n  against the acknowledged steps:" << DescribeDifference(run.acked, got);
  if (run.in_flight) failure << "\n  against those plus the one in flight:" << DescribeDifference(*run.in_flight, got);
  return failure;
}

::testing::AssertionResult InspectsClean(FaultFileSystem& fs, const StoreConfig& config) {
  auto inspection = InspectFileStore(kFaultDir, config.instance(), &fs);
  if (!inspection.ok()) return ::testing::AssertionFailure() << "InspectFileStore: " << inspection.status().ToString();
  if (!inspection->damage.ok()) {
    return ::testing::AssertionFailure() << "InspectFileStore reports damage: " << inspection->damage.ToString();
  }
  if (!inspection->orphans.empty()) {
    return ::testing::AssertionFailure() << "InspectFileStore reports orphan " << inspection->orphans.front()
                                         << " after an open that should have removed it";
  }
  return ::testing::AssertionSuccess();
}

size_t SegmentFiles(FaultFileSystem& fs) {
  auto names = fs.List(kFaultDir);
  if (!names.ok()) return 0;
  return static_cast<size_t>(std::count_if(names->begin(), names->end(), [](const std::string& n) {
    return n.size() > 4 && n.compare(n.size() - 4, 4, ".DAT") == 0;
  }));
}

QuietLogs::QuietLogs() {
  const char* keep = std::getenv("HASTORE_TEST_LOG");
  if (!(keep && *keep == '1')) SetLogSink(nullptr);
}

QuietLogs::~QuietLogs() { SetLogger(nullptr); }

}  // namespace hastore::testing
