#include <unistd.h>

#include "file_store_impl.h"
#include "hastore/internal/check.h"
#include "hastore/storage/log.h"
#include "hastore/storage/names.h"

namespace hastore::filestore {

FileStore::FileStore(const StoreConfig& config, const FileStoreOptions& options)
    : config_(config),
      options_(options),
      instance_(config.instance()),
      dir_(config.file.directory),
      fs_(options.fs_owner ? options.fs_owner.get() : options.fs ? options.fs : FileSystem::Default()),
      clock_(options.clock ? options.clock : Clock::Default()),
      batch_(4096) {}

FileStore::~FileStore() { (void)Close(); }

Status FileStore::Open(const Ownership& ownership) {
  if (!options_.read_only) HASTORE_RETURN_IF_ERROR(CreateDirsDurably(*fs_, dir_));
  auto bs = fs_->BlockSize(dir_);
  if (!bs.ok()) return bs.status();
  block_ = config_.file.block_size > 0 ? static_cast<uint32_t>(config_.file.block_size) : *bs;
  batch_ = BatchBuilder(block_);
  if (config_.file.io_buffer_size > 0) io_buffer_bytes_ = static_cast<uint64_t>(config_.file.io_buffer_size);
  if (!options_.read_only) HASTORE_RETURN_IF_ERROR(TakeOwnership(ownership));

  RecoveryReport report;
  RecoveryOptions recovery;
  if (!options_.read_only && config_.file.sync_policy == SyncPolicy::kDirectWriteWithCache) {
    recovery.cache_base = CacheBase();  // boot from valid mirrors (cache_files.cc)
  }
  HASTORE_RETURN_IF_ERROR(Recover(fs_, dir_, instance_, recovery, &report));
  if (!options_.read_only && report.max_epoch > epoch_) {
    // The fence was lost (a torn first write, damage): the segments remember later owners.
    if (ownership.epoch != 0) {
      return Status::Fenced("instance " + instance_ + ": epoch " + std::to_string(ownership.epoch) +
                            " is older than epoch " + std::to_string(report.max_epoch) + " found in its segments");
    }
    HASTORE_RETURN_IF_ERROR(CheckNextEpoch(report.max_epoch, "its segments"));
    epoch_ = report.max_epoch + 1;
    HASTORE_CHECK(epoch_ > report.max_epoch, "the epoch goes backwards");
    HASTORE_RETURN_IF_ERROR(Fence());
  }
  HASTORE_RETURN_IF_ERROR(LoadRecovered(report));
  if (options_.read_only) {
    state_ = State::kOpen;
    return Status::Ok();
  }
  HASTORE_RETURN_IF_ERROR(ChooseEngine());
  HASTORE_RETURN_IF_ERROR(RemoveOrphans(report));
  HASTORE_RETURN_IF_ERROR(RemoveStaleCaches());
  // A new owner never appends to an earlier segment: it starts its own, whose header seals the
  // old head where recovery found the log to end (ignoring any torn tail or fenced writes).
  if (report.torn_bytes > 0) {
    Logger()->warn("{}: torn tail of {} bytes at offset {} of {} ({}) is past the end of the log", instance_,
                 report.torn_bytes, report.torn_offset, report.chain.back().name, report.torn_reason);
  }
  HASTORE_RETURN_IF_ERROR(CreateSegment());
  writer_ = std::thread([this] { WriterLoop(); });
  if (options_.background_compaction) compactor_ = std::thread([this] { CompactorLoop(); });
  return Status::Ok();
}

Status FileStore::TakeOwnership(const Ownership& ownership) {
  std::string holder = ownership.holder.empty() ? "pid " + std::to_string(::getpid()) : ownership.holder;
  holder += " (instance " + instance_ + ")";
  Status held_lock;  // the lock's refusal, when a lease epoch may take over from its holder
  if (config_.file.file_locking_enabled) {
    auto lock = fs_->Lock(LockPath(), holder);
    if (lock.ok()) {
      lock_ = std::move(lock).value();
    } else if (lock.status().code() != StatusCode::kLocked || ownership.epoch == 0) {
      return lock.status();
    } else {
      held_lock = lock.status();
    }
  } else if (ownership.epoch == 0) {
    return Status::InvalidArgument("instance " + instance_ +
                                   ": file.file_locking_enabled is false, so opening it needs an owner epoch from a lease");
  }
  auto fence = FenceFile::Open(fs_, FencePath(), true);
  if (!fence.ok()) return fence.status();
  fence_ = std::move(fence).value();
  auto current = fence_->Read();
  if (!current.ok()) return current.status();
  if (current->damaged) Logger()->warn("{}: fence file {} has no valid slot; taking the epoch from the segments", instance_, fence_->path());
  if (!held_lock.ok()) {
    // A lease epoch decides, not the lock, when it is newer than the fence: the holder is then
    // an owner of an older epoch (a paused or cut-off server, or a single-server tool) and the
    // fence written below stops it at its next sync; waiting for its lock would let a paused
    // server block the takeover. An epoch no newer than the fence may be the holder's own
    // (a tool took fence + 1): it would write beside the holder unfenced, so it is refused.
    if (ownership.epoch <= current->epoch) return held_lock;
    Logger()->warn("{}: taking over under lease epoch {} although {}; the fence stops the holder", instance_,
                 ownership.epoch, held_lock.message());
  }
  if (ownership.epoch != 0 && ownership.epoch < current->epoch) {
    return Status::Fenced("instance " + instance_ + ": epoch " + std::to_string(ownership.epoch) +
                          " is older than epoch " + std::to_string(current->epoch) + " of " + current->holder +
                          " in " + fence_->path());
  }
  if (ownership.epoch == 0) HASTORE_RETURN_IF_ERROR(CheckNextEpoch(current->epoch, fence_->path()));
  epoch_ = ownership.epoch != 0 ? ownership.epoch : current->epoch + 1;
  // The fence never goes backwards: an older ownership epoch was refused above.
  HASTORE_CHECK(epoch_ != 0 && epoch_ >= current->epoch,
                "epoch " + std::to_string(epoch_) + " would replace epoch " + std::to_string(current->epoch));
  // The fence is written and synced before recovery reads anything: a fenced owner's batch is
  // either visible to that recovery or refused before it is acknowledged.
  fence_holder_ = holder;
  return Fence();
}

Status FileStore::CheckNextEpoch(uint64_t epoch, const std::string& where) const {
  if (epoch != UINT64_MAX) return Status::Ok();
  // Only damage or a hostile file writes it (a checksum guards the fence and segment headers).
  return Status::Corruption("instance " + instance_ + ": epoch " + std::to_string(epoch) + " in " + where +
                            " is the last one; no owner can follow it");
}

Status FileStore::Fence() {
  if (options_.claim) HASTORE_RETURN_IF_ERROR(options_.claim(epoch_, fence_holder_));
  HASTORE_RETURN_IF_ERROR(fence_->Write(epoch_, fence_holder_));
  return fs_->SyncDir(dir_);
}

std::string FileStore::LockPath() const { return JoinPath(dir_, UpperInstance(instance_) + ".LOCK"); }

std::string FileStore::FencePath() const { return JoinPath(dir_, UpperInstance(instance_) + ".FENCE"); }

Status FileStore::ChooseEngine() {
  auto engine = ChooseIoEngine(config_.file.io_engine, fs_);
  if (!engine.ok()) return engine.status();
  engine_ = std::move(engine).value();
  Logger()->info("{}: I/O engine {}", instance_, engine_->name());
  return Status::Ok();
}

Status FileStore::ReadOnlyError() const {
  return Status::NotSupported("instance " + instance_ + " is open read-only");
}

Status FileStore::LoadRecovered(RecoveryReport& report) {
  std::unique_lock lock(index_mu_);
  index_ = std::move(report.index);
  connections_ = std::move(report.connections);
  for (const auto& [id, name] : connections_) connection_ids_[name] = id;
  // Each owner epoch hands out handles from its own range (epoch << 40 upwards), so a handle a
  // fenced or crashed owner gave to a commit of unknown outcome is never given to another record.
  next_handle_ = options_.read_only ? report.next_handle : std::max(report.next_handle, epoch_ << kHandleEpochShift);
  next_txn_ = report.next_txn;
  next_seq_ = report.next_seq;
  next_file_number_ = report.any_segment ? report.highest_number + 1 : 0;
  for (const SegmentInfo& seg : report.chain) {
    auto files = std::make_shared<SegmentFiles>();
    files->number = seg.number;
    files->name = seg.name;
    files->end = seg.end;
    log_bytes_ += seg.end;
    files->read = seg.file;  // opened by recovery
    AdoptCache(*files, seg.mirror, seg.cache_end);
    segments_[seg.number] = std::move(files);
  }
  if (!report.chain.empty()) head_ = segments_[report.chain.back().number];
  live_log_bytes_ = index_.encoded_bytes();
  CheckIndexInLog();
  return Status::Ok();
}

void FileStore::CheckIndexInLog() const {
  // Every live record is in a segment of the log, within the log's end there: reads and
  // compaction trust the index without checking.
  size_t in_log = 0;
  for (const auto& [number, seg] : segments_) {
    for (const auto& [handle, loc] : index_.RecordsIn(number)) {
      HASTORE_CHECK(loc.offset + kRecordHeaderSize + loc.data_len <= seg->end,
                    seg->name + ": record " + std::to_string(handle) + " at offset " + std::to_string(loc.offset) +
                        " runs past the log's end " + std::to_string(seg->end));
      ++in_log;
    }
  }
  HASTORE_CHECK(in_log == index_.size(), std::to_string(index_.size() - in_log) + " records outside the log's segments");
}

Status FileStore::RemoveOrphans(const RecoveryReport& report) {
  // Orphans hold nothing acknowledged (see recovery.h); removing them keeps their numbers
  // from confusing a later recovery.
  for (const std::string& name : report.orphans) {
    Logger()->warn("{}: removing segment {} that is not part of the log", instance_, name);
    HASTORE_RETURN_IF_ERROR(fs_->Remove(JoinPath(dir_, name)));
  }
  return report.orphans.empty() ? Status::Ok() : fs_->SyncDir(dir_);
}

bool FileStore::Contains(Handle handle) const {
  std::shared_lock lock(index_mu_);
  return index_.Find(handle) != nullptr;
}

bool FileStore::KnowsConnection(uint32_t id) const {
  std::shared_lock lock(index_mu_);
  return connections_.count(id) != 0;
}

Result<Connection> FileStore::OpenConnection(std::string_view name) {
  HASTORE_RETURN_IF_ERROR(ValidateConnectionName(name));
  std::lock_guard define(define_mu_);
  {
    std::shared_lock lock(index_mu_);
    auto it = connection_ids_.find(std::string(name));
    if (it != connection_ids_.end()) return Connection{it->second, std::string(name)};
  }
  if (options_.read_only) return ReadOnlyError();
  uint32_t id = 1;
  {
    std::shared_lock lock(index_mu_);
    if (!connections_.empty()) id = connections_.rbegin()->first + 1;
  }
  WorkItem item;
  item.kind = WorkItem::Kind::kConnection;
  item.connection_id = id;
  item.connection_name = std::string(name);
  Submit(&item);
  item.finished.Wait(CommitWait::kSpinThenSleep);
  if (!item.result.ok()) return item.result;
  return Connection{id, std::string(name)};
}

std::vector<Connection> FileStore::Connections() const {
  std::shared_lock lock(index_mu_);
  std::vector<Connection> out;
  for (const auto& [id, name] : connections_) out.push_back(Connection{id, name});
  return out;
}

Result<std::shared_ptr<SegmentFiles>> FileStore::SegmentFor(uint32_t number) const {
  auto it = segments_.find(number);
  if (it == segments_.end()) return Status::NotFound("segment " + std::to_string(number) + " is not open");
  return it->second;
}

Status FileStore::ReadAt(const Location& loc, Handle handle, std::string* out) const {
  std::shared_ptr<SegmentFiles> seg;
  std::shared_ptr<File> file;
  {
    std::shared_lock lock(index_mu_);
    auto s = SegmentFor(loc.file);
    if (!s.ok()) return s.status();
    seg = *s;
    file = seg->cache ? seg->cache : seg->read;
  }
  std::string buf(EncodedRecordSize(loc.data_len), '\0');
  size_t got = 0;
  HASTORE_RETURN_IF_ERROR(file->Read(loc.offset, buf.data(), buf.size(), &got));
  DecodedRecord rec;
  size_t used = 0;
  Status s = DecodeRecord(buf.data(), got, &rec, &used);
  if (!s.ok() || rec.header.handle != handle) {
    return Status::Corruption(JoinPath(dir_, seg->name) + " at offset " + std::to_string(loc.offset) + ": " +
                              (s.ok() ? "record holds handle " + std::to_string(rec.header.handle) : s.message()));
  }
  out->assign(rec.data);
  return Status::Ok();
}

Result<std::string> FileStore::Read(Handle handle) const {
  // Compaction may move the record and drop its segment between the lookup and the read: a
  // segment that is gone (kNotFound from ReadAt) is retried once at the record's new place.
  std::string data;
  for (int attempt = 0;; ++attempt) {
    Location loc;
    {
      std::shared_lock lock(index_mu_);
      const Location* l = index_.Find(handle);
      if (l == nullptr) {
        return Status::NotFound("instance " + instance_ + " has no record with handle " + std::to_string(handle));
      }
      loc = *l;
    }
    Status s = ReadAt(loc, handle, &data);
    if (s.ok()) return data;
    if (s.code() != StatusCode::kNotFound || attempt > 0) return s;
  }
}

Status FileStore::Scan(const Connection& connection, const ScanFn& fn) const {
  std::vector<Handle> handles;
  {
    std::shared_lock lock(index_mu_);
    if (connections_.count(connection.id) == 0) {
      return Status::InvalidArgument("instance " + instance_ + " has no connection '" + connection.name + "'");
    }
    handles = index_.HandlesOf(connection.id);
  }
  for (Handle h : handles) {
    auto data = Read(h);
    if (data.status().code() == StatusCode::kNotFound) continue;  // removed since the scan began
    if (!data.ok()) return data.status();
    if (!fn(h, *data)) break;
  }
  return Status::Ok();
}

StoreStats FileStore::Stats() const {
  StoreStats st;
  st.kind = "file";
  const Status h = Health();
  st.state = h.ok() ? "open" : std::string(ToString(h.code()));
  st.epoch = epoch_;
  st.commits = commits_.load();
  st.batches = batches_.load();
  std::shared_lock lock(index_mu_);
  st.connections = connections_.size();
  st.records = index_.size();
  st.record_bytes = index_.data_bytes();
  uint64_t file_bytes = 0;
  for (const auto& [n, seg] : segments_) {
    auto size = seg->read->Size();
    if (size.ok()) file_bytes += *size;
  }
  st.details = {
      {"engine", engine_ ? engine_->name() : "none (read-only)"},
      {"sync_policy", std::string(ToString(config_.file.sync_policy))},
      {"block_size", std::to_string(block_)},
      {"segments", std::to_string(segments_.size())},
      {"file_bytes", std::to_string(file_bytes)},
      {"compacted_segments", std::to_string(compacted_segments_.load())},
      {"compacted_bytes", std::to_string(compacted_bytes_.load())},
  };
  return st;
}

Status FileStore::Health() const {
  if (options_.read_only && state_ == State::kOpen) return Status::Ok();
  return StateStatus();
}

Status FileStore::Close() {
  {
    // Under compact_mu_, which WakeStalled would take again: the compactor and each commit in
    // WaitForCompaction is then either before its check, and sees the stop, or asleep and
    // woken below.
    std::lock_guard lock(compact_mu_);
    compact_stop_ = true;
  }
  compact_cv_.notify_all();
  stall_cv_.notify_all();
  if (compactor_.joinable()) compactor_.join();
  {
    std::lock_guard lock(queue_mu_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  if (writer_.joinable()) writer_.join();
  State expected = State::kOpen;
  state_.compare_exchange_strong(expected, State::kClosed);
  head_write_.reset();
  fence_.reset();
  lock_.reset();
  return Status::Ok();
}

}  // namespace hastore::filestore

namespace hastore {

Result<std::unique_ptr<Store>> OpenFileStore(const StoreConfig& config, const Ownership& ownership,
                                             const FileStoreOptions& options) {
  HASTORE_RETURN_IF_ERROR(Validate(config));
  auto store = std::make_unique<filestore::FileStore>(config, options);
  HASTORE_RETURN_IF_ERROR(store->Open(ownership));
  return std::unique_ptr<Store>(std::move(store));
}

Result<uint32_t> CompactFileStore(Store& store, bool force) {
  auto* fs = dynamic_cast<filestore::FileStore*>(&store);
  if (fs == nullptr) return Status::InvalidArgument("instance " + store.instance() + " is not a file store");
  return fs->Compact(force);
}

}  // namespace hastore
