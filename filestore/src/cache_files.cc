// Direct-Write-With-Cache: every segment the writer creates gets a buffered mirror under
// `<cache dir>/WLStoreCache/`, written after each batch's direct write succeeded. Reads prefer
// the mirror, which sits in the page cache (on a local disk when the primary is on shared
// storage). The mirror is never synced, so a crash can leave it behind the primary or torn:
// recovery reads a mirror only while it yields valid batches of the same segment, and an open
// then brings each such mirror level with the log (copying the primary's bytes past where the
// mirror stopped) and keeps it. Mirrors that do not match are removed. A failed mirror write
// only drops the mirror: the primary is the truth.
#include "hastore/storage/log.h"

#include "file_store_impl.h"
#include "hastore/storage/names.h"

namespace hastore::filestore {

std::string FileStore::CacheBase() const {
  return config_.file.cache_directory.empty() ? dir_ : config_.file.cache_directory;
}

std::string FileStore::CacheDir() const { return JoinPath(CacheBase(), "WLStoreCache"); }

Result<std::string> FileStore::CachePath(uint32_t number) const {
  auto rel = CacheFileName(instance_, number);  // WLStoreCache/<INSTANCE><NNNNNN>.DAT.cache
  if (!rel.ok()) return rel.status();
  return JoinPath(CacheBase(), *rel);
}

void FileStore::AdoptCache(SegmentFiles& seg, std::shared_ptr<File> mirror, uint64_t cache_end) {
  if (!mirror || cache_end == 0) return;
  Status s;
  constexpr uint64_t kChunk = 4u << 20;
  std::string chunk;
  for (uint64_t at = cache_end; s.ok() && at < seg.end; at += kChunk) {  // what the mirror missed
    chunk.resize(std::min(kChunk, seg.end - at));
    size_t got = 0;
    s = seg.read->Read(at, chunk.data(), chunk.size(), &got);
    if (s.ok() && got != chunk.size()) s = Status::IOError("short read of " + seg.name + " at offset " + std::to_string(at));
    if (s.ok()) s = mirror->Write(at, chunk.data(), chunk.size());
  }
  if (s.ok()) s = mirror->Truncate(seg.end);
  if (!s.ok()) {
    Logger()->warn("{}: not keeping the cache file of {}: {}", instance_, seg.name, s.message());
    return;
  }
  seg.cache = std::move(mirror);
}

Status FileStore::RemoveStaleCaches() {
  if (config_.file.sync_policy != SyncPolicy::kDirectWriteWithCache) return Status::Ok();
  HASTORE_RETURN_IF_ERROR(CreateDirsDurably(*fs_, CacheDir()));
  auto names = fs_->List(CacheDir());
  if (!names.ok()) return names.status();
  const std::string prefix = UpperInstance(instance_);
  std::shared_lock lock(index_mu_);
  for (const std::string& name : *names) {
    if (!name.ends_with(".DAT.cache")) continue;
    auto parsed = ParseDatFileName(name.substr(0, name.size() - std::string_view(".cache").size()));
    if (parsed && parsed->instance_upper == prefix) {
      auto kept = segments_.find(parsed->number);
      if (kept != segments_.end() && kept->second->cache) continue;
      HASTORE_RETURN_IF_ERROR(fs_->Remove(JoinPath(CacheDir(), name)));
    }
  }
  return Status::Ok();
}

void FileStore::OpenCache(SegmentFiles& seg, const char* header_block) {
  if (config_.file.sync_policy != SyncPolicy::kDirectWriteWithCache) return;
  auto path = CachePath(seg.number);
  if (!path.ok()) return;
  auto f = fs_->Open(*path, OpenOptions{.create = true});
  Status s = f.ok() ? (*f)->Truncate(0) : f.status();
  if (s.ok()) s = (*f)->Write(0, header_block, block_);
  if (!s.ok()) {
    Logger()->warn("{}: no cache file for {}: {}", instance_, seg.name, s.message());
    return;
  }
  seg.cache = std::move(f).value();
}

void FileStore::RemoveCache(const SegmentFiles& seg) {
  auto path = CachePath(seg.number);
  Status s = path.ok() ? fs_->Remove(*path) : path.status();
  if (!s.ok()) Logger()->warn("{}: cannot remove the cache file of {}: {}", instance_, seg.name, s.message());
}

void FileStore::MirrorToCache(SegmentFiles& seg, const char* buf, size_t len, uint64_t offset) {
  if (!seg.cache) return;
  Status s = seg.cache->Write(offset, buf, len);
  if (s.ok()) return;
  Logger()->warn("{}: dropping cache file of {}: {}", instance_, seg.name, s.message());
  std::unique_lock lock(index_mu_);
  seg.cache.reset();
}

}  // namespace hastore::filestore
