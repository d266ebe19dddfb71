// Opening a .DAT file store (DESIGN §5). The returned Store implements the record API of
// hastore/storage/store.h; see filestore/FORMAT.md for the files it keeps.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "hastore/storage/config.h"
#include "hastore/storage/io.h"
#include "hastore/storage/store.h"

namespace hastore {

struct FileStoreOptions {
  FileSystem* fs = nullptr;  // null: the POSIX file system
  Clock* clock = nullptr;    // null: the system clock
  // Recover in memory and serve reads only: no lock, no fence, nothing written. Commits fail.
  bool read_only = false;
  // Run online compaction in a background thread (writable opens).
  bool background_compaction = true;

  // For a file system whose storage checks epochs itself (the replicated store's daemons):
  // `fs_owner` is kept alive by the store and used instead of `fs`; `claim` is called with the
  // owner epoch before the fence is written, and a write refused as kFenced fences the store,
  // so the fence file is not read before each batch; zeros are not written ahead of the log
  // (they only make a disk's syncs cheaper); `record_limit` names the record size limit in
  // errors.
  std::shared_ptr<FileSystem> fs_owner = nullptr;
  std::function<Status(uint64_t epoch, const std::string& holder)> claim = nullptr;
  bool prewrite = true;
  std::string record_limit = "max_record_size";
};

// Recovers the instance named by config and returns it ready, or the error that stops it:
// kLocked (another process holds it; the message names the holder), kFenced (the fence holds
// a newer epoch than ownership.epoch), kCorruption (names file and offset), kInvalidArgument.
Result<std::unique_ptr<Store>> OpenFileStore(const StoreConfig& config, const Ownership& ownership,
                                             const FileStoreOptions& options = {});

// Runs one round of online compaction on a store opened by OpenFileStore: copies the live
// records of the oldest segments forward and removes those segments, while the store stays
// open. `force` compacts even when the store is under its space threshold. Returns the number
// of segments removed.
Result<uint32_t> CompactFileStore(Store& store, bool force);

}  // namespace hastore
