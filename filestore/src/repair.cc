// `hastore repair`: make a damaged instance openable, losing as little as possible and
// deleting nothing. A torn tail is cut off; a damaged segment is moved to `quarantine/` and its
// number recorded, so recovery accepts the gap it leaves; orphans go to quarantine too.
#include "hastore/storage/log.h"
#include <unistd.h>

#include "hastore/filestore/inspect.h"
#include "hastore/storage/names.h"
#include "recovery.h"

namespace hastore {
namespace {

Status MoveToQuarantine(FileSystem* fs, const std::string& dir, const std::string& name, RepairReport* report) {
  const std::string qdir = JoinPath(dir, "quarantine");
  HASTORE_RETURN_IF_ERROR(CreateDirsDurably(*fs, qdir));
  std::string target = JoinPath(qdir, name);
  for (int n = 1; fs->Exists(target); ++n) target = JoinPath(qdir, name + "." + std::to_string(n));
  HASTORE_RETURN_IF_ERROR(fs->Rename(JoinPath(dir, name), target));
  HASTORE_RETURN_IF_ERROR(fs->SyncDir(qdir));
  HASTORE_RETURN_IF_ERROR(fs->SyncDir(dir));
  report->quarantined.push_back(target);
  return Status::Ok();
}

}  // namespace

Result<RepairReport> RepairFileStore(const std::string& dir, const std::string& instance, FileSystem* fs) {
  if (fs == nullptr) fs = FileSystem::Default();
  auto lock = fs->Lock(JoinPath(dir, UpperInstance(instance) + ".LOCK"),
                       "hastore repair pid " + std::to_string(::getpid()) + " (instance " + instance + ")");
  if (!lock.ok()) return lock.status();
  RepairReport report;
  // Each round moves one damaged segment away; there are at most kMaxFileNumber + 1 of them.
  for (uint32_t round = 0; round <= kMaxFileNumber + 1; ++round) {
    filestore::RecoveryReport r;
    Status s = filestore::Recover(fs, dir, instance, filestore::RecoveryOptions{}, &r);
    if (s.ok()) {
      for (const std::string& orphan : r.orphans) {
        HASTORE_RETURN_IF_ERROR(MoveToQuarantine(fs, dir, orphan, &report));
        report.removed_orphans.push_back(orphan);
      }
      if (r.torn_bytes > 0 && !r.chain.empty()) {
        const std::string path = JoinPath(dir, r.chain.back().name);
        auto f = fs->Open(path, OpenOptions{});
        if (!f.ok()) return f.status();
        HASTORE_RETURN_IF_ERROR((*f)->Truncate(r.torn_offset));
        HASTORE_RETURN_IF_ERROR((*f)->Sync());
        report.truncated_segment = r.chain.back().name;
        report.truncated_bytes = r.torn_bytes;
      }
      return report;
    }
    if (s.code() != StatusCode::kCorruption || r.damage.path.empty()) return s;
    const std::string name = r.damage.path.substr(r.damage.path.find_last_of('/') + 1);
    auto parsed = ParseDatFileName(name);
    if (!parsed) return s;  // damage outside the segments (a fence file): nothing repair can do
    Logger()->warn("repair {}: moving damaged {} to quarantine ({})", instance, name, s.message());
    HASTORE_RETURN_IF_ERROR(filestore::AddToQuarantineList(fs, dir, instance, parsed->number));
    HASTORE_RETURN_IF_ERROR(MoveToQuarantine(fs, dir, name, &report));
  }
  return Status::Failed("repair of " + instance + " did not converge");
}

}  // namespace hastore
