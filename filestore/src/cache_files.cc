// Direct-Write-With-Cache: every segment the writer creates gets a buffered mirror under
// `<cache dir>/WLStoreCache/`, written after each batch's direct write succeeded. Reads prefer
// the mirror, which sits in the page cache. The mirror is never synced and never trusted
// across opens: a crash can leave it behind the primary, so an open removes the instance's old
// cache files, and older segments are read from the primary until compaction rewrites them.
// A failed mirror write only drops the mirror: the primary is the truth.
#include <spdlog/spdlog.h>

#include "file_store_impl.h"
#include "hastore/storage/names.h"

namespace hastore::filestore {

std::string FileStore::CacheDir() const {
  const std::string& base = config_.file.cache_directory.empty() ? dir_ : config_.file.cache_directory;
  return JoinPath(base, "WLStoreCache");
}

Status FileStore::RemoveStaleCaches() {
  if (config_.file.sync_policy != SyncPolicy::kDirectWriteWithCache) return Status::Ok();
  HASTORE_RETURN_IF_ERROR(fs_->CreateDirs(CacheDir()));
  auto names = fs_->List(CacheDir());
  if (!names.ok()) return names.status();
  const std::string prefix = UpperInstance(instance_);
  for (const std::string& name : *names) {
    auto parsed = ParseDatFileName(name.size() > 6 ? name.substr(0, name.size() - 6) : name);
    if (name.ends_with(".DAT.cache") && parsed && parsed->instance_upper == prefix) {
      HASTORE_RETURN_IF_ERROR(fs_->Remove(JoinPath(CacheDir(), name)));
    }
  }
  return Status::Ok();
}

void FileStore::OpenCache(SegmentFiles& seg, const char* header_block) {
  if (config_.file.sync_policy != SyncPolicy::kDirectWriteWithCache) return;
  auto rel = CacheFileName(instance_, seg.number);
  if (!rel.ok()) return;
  const std::string base = config_.file.cache_directory.empty() ? dir_ : config_.file.cache_directory;
  auto f = fs_->Open(JoinPath(base, *rel), OpenOptions{.create = true});
  Status s = f.ok() ? (*f)->Truncate(0) : f.status();
  if (s.ok()) s = (*f)->Write(0, header_block, block_);
  if (!s.ok()) {
    spdlog::warn("{}: no cache file for {}: {}", instance_, seg.name, s.message());
    return;
  }
  seg.cache = std::move(f).value();
}

void FileStore::MirrorToCache(SegmentFiles& seg, const char* buf, size_t len, uint64_t offset) {
  if (!seg.cache) return;
  Status s = seg.cache->Write(offset, buf, len);
  if (s.ok()) return;
  spdlog::warn("{}: dropping cache file of {}: {}", instance_, seg.name, s.message());
  std::unique_lock lock(index_mu_);
  seg.cache.reset();
}

}  // namespace hastore::filestore
