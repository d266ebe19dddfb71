#include "store_opener.h"

#include "hastore/filestore/file_store.h"
#include "hastore/jdbcstore/jdbc_store.h"
#include "hastore/replicated/daemon_admin.h"
#include "hastore/replicated/replicated_store.h"
#include "hastore/storage/names.h"

namespace hastore::tools {

namespace {

Result<StoreLog> OpenLog(const StoreLocation& location) {
  switch (location.config.kind) {
    case StoreKind::kJdbc:
      return Status::InvalidArgument("instance " + location.instance + " is a JDBC store: its records are rows, not a log");
    case StoreKind::kReplicated: {
      Result<ReplicatedLog> log = OpenReplicatedLog(location.config);
      if (!log.ok()) return log.status();
      return StoreLog{log->directory, log->fs};
    }
    case StoreKind::kFile: break;
  }
  return StoreLog{location.directory, nullptr};
}

// An instance of `location` with no segment file: where it was looked for, by kind.
Status MissingInstance(const StoreLocation& location) {
  const std::string where = location.config.kind == StoreKind::kReplicated
                                ? "on the replication daemons of " + location.directory
                                : "in " + location.directory;
  return Status::NotFound("no segment files of instance " + location.instance + " " + where);
}

FileSystem* FileSystemOf(const StoreLog& log) { return log.fs ? log.fs.get() : FileSystem::Default(); }

// The names of the instance's segment files in the log's directory.
Result<std::vector<std::string>> SegmentFileNames(const StoreLog& log, const std::string& instance) {
  auto names = FileSystemOf(log)->List(log.directory);
  if (!names.ok()) return names.status();
  const std::string upper = UpperInstance(instance);
  std::vector<std::string> segments;
  for (std::string& name : *names) {
    auto segment = ParseDatFileName(name);
    if (segment && segment->instance_upper == upper) segments.push_back(std::move(name));
  }
  return segments;
}

Status CheckInstanceExists(const StoreLocation& location, const StoreLog& log) {
  auto segments = SegmentFileNames(log, location.instance);
  if (!segments.ok()) return segments.status();
  return segments->empty() ? MissingInstance(location) : Status::Ok();
}

}  // namespace

Result<StoreLog> OpenExistingLog(const StoreLocation& location) {
  Result<StoreLog> log = OpenLog(location);
  if (!log.ok()) return log.status();
  HASTORE_RETURN_IF_ERROR(CheckInstanceExists(location, *log));
  return log;
}

Status CheckNotHeld(const StoreLocation& location) {
  if (location.config.kind != StoreKind::kReplicated) return Status::Ok();
  Result<replicated::DaemonConfig> daemons = replicated::LoadDaemonConfig(location.directory);
  if (!daemons.ok()) return daemons.status();
  const auto [primary, peer] = daemons->PairOf(location.instance);
  for (int index : {primary, peer}) {
    const replicated::DaemonInfo info = replicated::QueryDaemon(*daemons, index);
    for (const replicated::HeldInstanceInfo& held : info.instances) {
      if (held.instance != location.instance || held.live_claims == 0) continue;
      return Status::Locked("instance " + location.instance + " is held by " + held.session +
                            " (a live claim on daemon " + info.address + "); close it first");
    }
  }
  return Status::Ok();
}

Result<std::unique_ptr<Store>> OpenReadOnly(const StoreLocation& location) {
  if (location.config.kind == StoreKind::kJdbc) {
    return OpenJdbcStore(location.config, Ownership{}, JdbcStoreOptions{.read_only = true});
  }
  HASTORE_RETURN_IF_ERROR(OpenExistingLog(location).status());
  if (location.config.kind == StoreKind::kReplicated) {
    return OpenReplicatedStore(location.config, Ownership{}, ReplicatedStoreOptions{.read_only = true});
  }
  return OpenFileStore(location.config, Ownership{}, FileStoreOptions{.read_only = true});
}

Result<std::unique_ptr<Store>> OpenWritable(const StoreLocation& location, const std::string& holder,
                                            bool background_compaction) {
  const Ownership owner{0, holder};
  switch (location.config.kind) {
    case StoreKind::kJdbc: return OpenJdbcStore(location.config, owner);
    case StoreKind::kReplicated:
      return OpenReplicatedStore(location.config, owner,
                                 ReplicatedStoreOptions{.background_compaction = background_compaction});
    case StoreKind::kFile: break;
  }
  return OpenFileStore(location.config, owner, FileStoreOptions{.background_compaction = background_compaction});
}

Result<FileStoreInspection> InspectLog(const StoreLocation& location,
                                       const std::function<void(const StoredRecord&)>& on_record) {
  // InspectFileStore finds out itself that there is no segment: no listing beforehand.
  Result<StoreLog> log = OpenLog(location);
  if (!log.ok()) return log.status();
  return InspectLog(location, *log, on_record);
}

Result<FileStoreInspection> InspectLog(const StoreLocation& location, const StoreLog& log,
                                       const std::function<void(const StoredRecord&)>& on_record) {
  Result<FileStoreInspection> inspection = InspectFileStore(log.directory, location.instance, log.fs.get(), on_record);
  if (inspection.status().code() == StatusCode::kNotFound) return MissingInstance(location);
  return inspection;
}

Result<std::map<std::string, uint64_t>> SegmentFileSizes(const StoreLog& log, const std::string& instance) {
  auto names = SegmentFileNames(log, instance);
  if (!names.ok()) return names.status();
  std::map<std::string, uint64_t> sizes;
  for (const std::string& name : *names) {
    auto file = FileSystemOf(log)->Open(JoinPath(log.directory, name), OpenOptions{.read_only = true});
    if (!file.ok()) return file.status();
    auto size = (*file)->Size();
    if (!size.ok()) return size.status();
    sizes[name] = *size;
  }
  return sizes;
}

}  // namespace hastore::tools
