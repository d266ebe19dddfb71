// `hastore compact`: one round of compaction on a store this process opens writable.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <mutex>
#include <thread>

#include "hastore/filestore/file_store.h"
#include "progress_meter.h"
#include "store_locator.h"
#include "store_opener.h"
#include "verb.h"

namespace hastore::tools {
namespace {

constexpr std::string_view kVerb = "compact";

struct CompactArgs {
  StoreArgs store;
  bool force = false;
};

// A figure of the store's stats details; 0 when it has none.
uint64_t Detail(const StoreStats& st, std::string_view key) {
  for (const auto& [name, value] : st.details) {
    if (name == key) return std::strtoull(value.c_str(), nullptr, 10);
  }
  return 0;
}

// CompactFileStore, with the segments compacted so far (the store's own count, read every
// 100 ms) of those there were before, on stderr when it is a terminal.
Result<uint32_t> CompactWithProgress(Store& store, bool force, const StoreStats& before) {
  ProgressMeter progress(kVerb, ProgressMeter::Unit::kCount, Detail(before, "segments"), "segments compacted");
  if (!progress.enabled()) return CompactFileStore(store, force);
  const uint64_t compacted_before = Detail(before, "compacted_segments");
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  std::thread poller([&] {
    std::unique_lock lock(mu);
    while (!cv.wait_for(lock, std::chrono::milliseconds(100), [&] { return done; })) {
      progress.Update(Detail(store.Stats(), "compacted_segments") - compacted_before);
    }
  });
  Result<uint32_t> removed = CompactFileStore(store, force);
  {
    std::lock_guard lock(mu);
    done = true;
  }
  cv.notify_one();
  poller.join();
  if (removed.ok()) progress.Update(*removed);
  progress.Finish();
  return removed;
}

void PrintStats(std::string_view when, const StoreStats& st) {
  std::cout << when << ": records " << st.records << ", record bytes " << st.record_bytes;
  for (const auto& [key, value] : st.details) {
    if (key == "segments" || key == "file_bytes") std::cout << ", " << key << ' ' << value;
  }
  std::cout << '\n';
}

int RunCompact(const CompactArgs& args) {
  auto location = LocateStore(args.store);
  if (!location.ok()) return Fail(kVerb, location.status());
  if (location->config.kind == StoreKind::kJdbc) {
    auto store = OpenReadOnly(*location);  // only to say so of a store that is there
    if (!store.ok()) return Fail(kVerb, store.status());
    std::cout << location->instance << ": nothing to compact: a JDBC store's rows are its live records, and its "
              << "database reclaims the space of deleted ones (VACUUM, OPTIMIZE TABLE)\n";
    return kExitOk;
  }
  if (Status s = OpenExistingLog(*location).status(); !s.ok()) return Fail(kVerb, s);
  // A writable open takes the instance's lock (a replicated store: an exclusive claim on the
  // daemons), refused, naming the holder, while another owner has the store open.
  auto store = OpenWritable(*location, "hastore compact pid " + std::to_string(::getpid()), false);
  if (!store.ok()) return Fail(kVerb, store.status());
  const StoreStats before = (*store)->Stats();
  PrintStats("before", before);
  auto removed = CompactWithProgress(**store, args.force, before);
  if (!removed.ok()) {
    (void)(*store)->Close();
    return Fail(kVerb, removed.status());
  }
  std::cout << "segments removed: " << *removed << '\n';
  PrintStats("after", (*store)->Stats());
  if (Status s = (*store)->Close(); !s.ok()) return Fail(kVerb, s);
  return kExitOk;
}

}  // namespace

Verb AddCompactVerb(CLI::App& app) {
  auto args = std::make_shared<CompactArgs>();
  CLI::App* cmd = AddVerbCommand(app, "compact", "Compact a store: copy live records forward, remove old segments",
      "Opens the store writable (taking its lock), runs one round of compaction and closes it. Refused, naming the "
      "holder, while another process holds the store. Without --config the segments it writes use default "
      "settings (Direct-Write, max file size 1342177280); give --config for the store's own. Shows the segments "
      "compacted so far on stderr when that is a terminal.");
  AddStoreArgs(*cmd, &args->store);
  cmd->add_flag("--force", args->force, "Compact even when the store is under its space threshold");
  return {cmd, [args] { return RunCompact(*args); }};
}

}  // namespace hastore::tools
