// `hastore repair`: make a damaged instance openable, losing as little as possible and
// deleting nothing. A torn tail is cut off; a damaged segment is moved to `quarantine/` and its
// number recorded, so recovery accepts the gap it leaves; orphans go to quarantine too.
//
// A dry run goes through the same rounds without a lock and without a write: a damaged segment
// is only taken as moved (RecoveryOptions::assume_quarantined), so the next round finds what
// the real repair would find next.
#include <unistd.h>

#include "hastore/filestore/inspect.h"
#include "hastore/storage/log.h"
#include "hastore/storage/names.h"
#include "recovery.h"

namespace hastore {
namespace {

// Where `name` goes in `<dir>/quarantine/`: its own name, or with .1, .2, ... after it when an
// earlier repair put a file of that name there.
std::string QuarantinePath(FileSystem* fs, const std::string& dir, const std::string& name) {
  const std::string qdir = JoinPath(dir, "quarantine");
  std::string target = JoinPath(qdir, name);
  for (int n = 1; fs->Exists(target); ++n) target = JoinPath(qdir, name + "." + std::to_string(n));
  return target;
}

// Moves `name` to QuarantinePath (nothing in a dry run); the path it goes to.
Result<std::string> MoveToQuarantine(FileSystem* fs, const std::string& dir, const std::string& name, bool dry_run) {
  const std::string target = QuarantinePath(fs, dir, name);
  if (dry_run) return target;
  const std::string qdir = JoinPath(dir, "quarantine");
  HASTORE_RETURN_IF_ERROR(CreateDirsDurably(*fs, qdir));
  HASTORE_RETURN_IF_ERROR(fs->Rename(JoinPath(dir, name), target));
  HASTORE_RETURN_IF_ERROR(fs->SyncDir(qdir));
  HASTORE_RETURN_IF_ERROR(fs->SyncDir(dir));
  return target;
}

// The last round: the log is readable; its orphans go to quarantine and its torn tail is cut.
Status Finish(FileSystem* fs, const std::string& dir, const filestore::RecoveryReport& r, bool dry_run,
              RepairReport* report) {
  for (const std::string& orphan : r.orphans) {
    Result<std::string> moved = MoveToQuarantine(fs, dir, orphan, dry_run);
    if (!moved.ok()) return moved.status();
    report->orphans.push_back(*moved);
  }
  if (r.torn_bytes == 0 || r.chain.empty()) return Status::Ok();
  report->truncated_segment = r.chain.back().name;
  report->truncated_bytes = r.torn_bytes;
  report->truncated_at = r.torn_offset;
  if (dry_run) return Status::Ok();
  auto f = fs->Open(JoinPath(dir, r.chain.back().name), OpenOptions{});
  if (!f.ok()) return f.status();
  HASTORE_RETURN_IF_ERROR((*f)->Truncate(r.torn_offset));
  return (*f)->Sync();
}

}  // namespace

Result<RepairReport> RepairFileStore(const std::string& dir, const std::string& instance, FileSystem* fs,
                                     const RepairOptions& options) {
  if (fs == nullptr) fs = FileSystem::Default();
  std::unique_ptr<FileLock> lock;
  if (!options.dry_run) {
    auto locked = fs->Lock(JoinPath(dir, UpperInstance(instance) + ".LOCK"),
                           "hastore repair pid " + std::to_string(::getpid()) + " (instance " + instance + ")");
    if (!locked.ok()) return locked.status();
    lock = std::move(locked).value();
  }
  filestore::RecoveryOptions recovery;
  if (options.on_progress) {
    recovery.on_record = [&options](const filestore::SegmentInfo& seg, uint64_t offset, const filestore::DecodedRecord&) {
      options.on_progress(seg.name, offset);
    };
  }
  RepairReport report;
  // Each round moves one damaged segment away; there are at most kMaxFileNumber + 1 of them.
  for (uint32_t round = 0; round <= kMaxFileNumber + 1; ++round) {
    filestore::RecoveryReport r;
    Status s = filestore::Recover(fs, dir, instance, recovery, &r);
    if (s.ok()) {
      HASTORE_RETURN_IF_ERROR(Finish(fs, dir, r, options.dry_run, &report));
      return report;
    }
    if (s.code() != StatusCode::kCorruption || r.damage.path.empty()) return s;
    const std::string name = r.damage.path.substr(r.damage.path.find_last_of('/') + 1);
    auto parsed = ParseDatFileName(name);
    if (!parsed) return s;  // damage outside the segments (a fence file): nothing repair can do
    if (options.dry_run) {
      recovery.assume_quarantined.push_back(parsed->number);
    } else {
      Logger()->warn("repair {}: moving damaged {} to quarantine ({})", instance, name, s.message());
      HASTORE_RETURN_IF_ERROR(filestore::AddToQuarantineList(fs, dir, instance, parsed->number));
    }
    Result<std::string> moved = MoveToQuarantine(fs, dir, name, options.dry_run);
    if (!moved.ok()) return moved.status();
    report.quarantined.push_back(*moved);
  }
  return Status::Failed("repair of " + instance + " did not converge");
}

}  // namespace hastore
