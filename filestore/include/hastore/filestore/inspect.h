// Read-only inspection of a file store's files, for operators' tools (`hastore list`,
// `verify`, `dump`). Nothing here writes, locks or fences.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "hastore/storage/io.h"
#include "hastore/storage/store.h"

namespace hastore {

struct SegmentSummary {
  std::string name;
  uint32_t number = 0;
  uint64_t epoch = 0;      // of the owner that created it
  uint64_t log_bytes = 0;  // where the log ends in it
  uint64_t file_bytes = 0;
  uint64_t batches = 0;
};

struct FileStoreInspection {
  std::string instance;
  std::vector<SegmentSummary> segments;  // the log, oldest first
  std::vector<std::string> orphans;      // segment files outside the log
  uint64_t records = 0;
  uint64_t record_bytes = 0;
  uint64_t batches = 0;
  uint64_t transactions = 0;
  std::map<std::string, uint64_t> connections;  // name -> live records
  uint64_t fence_epoch = 0;
  std::string fence_holder;
  // The I/O engine a writable open would choose here with io_engine = "auto".
  std::string engine;
  // A torn tail at the end of the newest segment (not damage: see filestore/FORMAT.md).
  uint64_t torn_offset = 0;
  uint64_t torn_bytes = 0;
  std::string torn_segment;
  // Damage: `damage` is non-OK (kCorruption) and names file and offset.
  Status damage;
  std::string damage_path;
  uint64_t damage_offset = 0;
};

// One record as stored, in log order (for `hastore dump --log`).
struct StoredRecord {
  std::string segment;
  uint64_t offset = 0;
  std::string_view type;  // "create", "update", "remove", "connection", "move"
  uint32_t connection = 0;
  Handle handle = 0;
  uint64_t txn = 0;
  uint64_t epoch = 0;
  std::string_view data;
};

// The exact instance names that have segment files in dir (read from segment headers).
Result<std::vector<std::string>> FindFileStoreInstances(const std::string& dir, FileSystem* fs = nullptr);

// Checks every batch and record of the instance. A damaged store is not an error of the call:
// the result's `damage` says what is wrong. `on_record` sees every record of the valid log.
Result<FileStoreInspection> InspectFileStore(const std::string& dir, const std::string& instance,
                                             FileSystem* fs = nullptr,
                                             const std::function<void(const StoredRecord&)>& on_record = {});

}  // namespace hastore

namespace hastore {

struct RepairReport {
  std::string truncated_segment;  // the head segment whose torn tail was cut, if any
  uint64_t truncated_bytes = 0;
  uint64_t truncated_at = 0;              // the offset it was cut at (the end of its log)
  std::vector<std::string> quarantined;   // paths the damaged segments were moved to
  std::vector<std::string> orphans;       // paths the orphan segments were moved to
};

struct RepairOptions {
  // Change nothing, take no lock: the report says what a repair would cut and move, and to
  // which paths. (A store that another process holds is then read as it stands.)
  bool dry_run = false;
  // Every record read, with its segment file name and offset, in log order: progress. Each
  // damaged segment found makes the repair read the log again from its start.
  std::function<void(const std::string& segment, uint64_t offset)> on_progress;
};

// Makes a damaged instance openable again: truncates a torn tail and moves damaged segments
// into `<dir>/quarantine/` (never deletes them); their records are lost to the store but kept
// in the quarantine. Orphan segments (outside the log) go there too. Refuses (kLocked) an
// instance another process holds.
Result<RepairReport> RepairFileStore(const std::string& dir, const std::string& instance, FileSystem* fs = nullptr,
                                     const RepairOptions& options = {});

}  // namespace hastore
