// A file store's directory in memory for the dat_segment and dat_log fuzz targets: putting the
// instance's segment files there, and what every such directory must survive.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "hastore/filestore/file_store.h"
#include "hastore/filestore/inspect.h"
#include "hastore/internal/check.h"
#include "hastore/storage/fault_fs.h"
#include "hastore/storage/names.h"

namespace hastore::fuzz {

inline constexpr char kDir[] = "/store";
inline constexpr char kInstance[] = "fz";
inline constexpr std::string_view kSplit = "=FZFILE=";

// Writes `bytes` as segment file `number` of kInstance in kDir (created).
inline void PutSegmentFile(FaultFileSystem& fs, uint32_t number, std::string_view bytes) {
  HASTORE_CHECK(fs.CreateDirs(kDir).ok(), "in-memory directory");
  Result<std::string> name = DatFileName(kInstance, number);
  HASTORE_CHECK(name.ok(), name.status().ToString());
  Result<std::unique_ptr<File>> f = fs.Open(JoinPath(kDir, *name), OpenOptions{.create = true});
  HASTORE_CHECK(f.ok() && (*f)->Write(0, bytes.data(), bytes.size()).ok() && (*f)->Sync().ok(), "in-memory segment");
  HASTORE_CHECK(fs.SyncDir(kDir).ok(), "in-memory directory");
}

// Writes each part of `input`, split at kSplit, as segment file 0, 1, ... (a store's first
// segment is number 0).
inline void PutSegmentFiles(FaultFileSystem& fs, std::string_view input) {
  for (uint32_t number = 0;; ++number) {
    const size_t split = input.find(kSplit);
    PutSegmentFile(fs, number, input.substr(0, split));
    if (split == std::string_view::npos) break;
    input.remove_prefix(split + kSplit.size());
  }
}

// `hastore verify` (InspectFileStore: segment headers, the scanner, recovery, the index), then
// `hastore repair` and a read-only open. Invariants: every record reported lies within its
// segment file; after a repair that succeeded, verify finds no damage and an open succeeds.
inline void VerifyAndRepair(FaultFileSystem& fs) {
  std::map<std::string, uint64_t> sizes;
  Result<std::vector<std::string>> names = fs.List(kDir);
  HASTORE_CHECK(names.ok(), names.status().ToString());
  for (const std::string& name : *names) {
    Result<std::string> content = fs.Contents(JoinPath(kDir, name));
    if (content.ok()) sizes[name] = content->size();
  }
  Result<FileStoreInspection> inspection = InspectFileStore(kDir, kInstance, &fs, [&](const StoredRecord& r) {
    HASTORE_CHECK(r.offset + 48 + r.data.size() <= sizes[r.segment],
                  "record at offset " + std::to_string(r.offset) + " of " + r.segment + " runs past the file");
  });
  if (!inspection.ok() || inspection->segments.empty()) return;
  Result<RepairReport> repair = RepairFileStore(kDir, kInstance, &fs);
  if (!repair.ok()) return;
  Result<FileStoreInspection> again = InspectFileStore(kDir, kInstance, &fs);
  HASTORE_CHECK(again.ok() && again->damage.ok(),
                "verify after a repair finds: " + (again.ok() ? again->damage.ToString() : again.status().ToString()));
  StoreConfig config;
  config.name = kInstance;
  config.file.directory = kDir;
  Result<std::unique_ptr<Store>> store = OpenFileStore(config, Ownership{}, FileStoreOptions{.fs = &fs, .read_only = true});
  HASTORE_CHECK(store.ok(), "a read-only open after a repair: " + store.status().ToString());
}

}  // namespace hastore::fuzz
