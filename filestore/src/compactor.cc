// Online compaction: copy the live records of the oldest segment to the head of the log, then
// remove that segment.
//
// Always the oldest: a remove record only has to outlive the older versions it cancels, and
// those live in older segments, which are already gone when a segment becomes the oldest. So
// removes are never copied, and dropping segments in order can never bring a record back.
// Copies go through the writer like any commit, which drops a copy when the record changed
// after it was read (the index no longer points at the old place).
#include "hastore/storage/log.h"

#include "file_store_impl.h"

namespace hastore::filestore {
namespace {
constexpr size_t kMoveChunkBytes = 1u << 20;
constexpr auto kCompactorPeriod = std::chrono::milliseconds(200);
// The longest a commit waits for compaction before it goes ahead anyway (compaction failing,
// say): a bound on how long disk use can stall writers, not a time anyone should see.
constexpr auto kMaxStall = std::chrono::seconds(2);
}  // namespace

void FileStore::WakeCompactor() {
  {
    std::lock_guard lock(compact_mu_);
    compact_wanted_ = true;
  }
  compact_cv_.notify_one();
}

void FileStore::WakeStalled() {
  {
    std::lock_guard lock(compact_mu_);
  }
  stall_cv_.notify_all();
}

void FileStore::WaitForCompaction() {
  if (!compactor_.joinable() || Pressure() != CompactionPressure::kStall) return;
  // A commit made from a completion callback runs on the writer thread, which the compactor's
  // copies need: holding it would stall everyone for the whole bound.
  if (std::this_thread::get_id() == writer_.get_id()) return;
  std::unique_lock lock(compact_mu_);
  compact_wanted_ = true;
  compact_cv_.notify_one();
  stall_cv_.wait_for(lock, kMaxStall, [this] {
    return compact_stop_ || state_.load() != State::kOpen || Pressure() != CompactionPressure::kStall;
  });
}

CompactionPressure FileStore::Pressure() const {
  return PressureOf(log_bytes_.load(std::memory_order_relaxed), live_log_bytes_.load(std::memory_order_relaxed));
}

void FileStore::CompactorLoop() {
  std::unique_lock lock(compact_mu_);
  while (!compact_stop_) {
    // Each new segment wakes it at once; the period only catches what removes alone free.
    compact_cv_.wait_for(lock, kCompactorPeriod, [this] { return compact_stop_ || compact_wanted_; });
    if (compact_stop_) break;
    compact_wanted_ = false;
    lock.unlock();
    bool progressing = false;
    for (int rounds = 0; rounds < 64; ++rounds) {
      auto removed = CompactOldest(false, kNoFile);
      progressing = removed.ok() && *removed;
      if (!progressing) break;
    }
    lock.lock();
    // Still far behind and still getting somewhere: go on without waiting out the period.
    if (progressing && Pressure() >= CompactionPressure::kUrgent) compact_wanted_ = true;
  }
}

Result<uint32_t> FileStore::Compact(bool force) {
  if (options_.read_only) return ReadOnlyError();
  if (force) {  // seal the head so that everything written so far can be compacted
    WorkItem roll;
    roll.kind = WorkItem::Kind::kRoll;
    Submit(&roll);
    roll.finished.Wait(CommitWait::kSpinThenSleep);
    HASTORE_RETURN_IF_ERROR(roll.result);
  }
  // Only the segments that exist now: compacting them writes new ones, which must not be chased.
  uint32_t below = kNoFile;
  {
    std::shared_lock lock(index_mu_);
    if (!segments_.empty()) below = segments_.rbegin()->first;
  }
  uint32_t removed = 0;
  for (;;) {
    auto r = CompactOldest(force, below);
    if (!r.ok()) return r.status();
    if (!*r) return removed;
    ++removed;
  }
}

Result<bool> FileStore::CompactOldest(bool force, uint32_t below) {
  std::lock_guard guard(compact_run_mu_);
  HASTORE_RETURN_IF_ERROR(StateStatus());
  std::shared_ptr<SegmentFiles> victim;
  std::vector<std::pair<Handle, Location>> live;
  {
    std::shared_lock lock(index_mu_);
    if (segments_.size() < 2) return false;
    victim = segments_.begin()->second;
    if (victim->number >= below) return false;
    if (!force && Pressure() == CompactionPressure::kNone) return false;
    live = index_.RecordsIn(victim->number);
  }
  const uint64_t started = clock_->NowMonotonicNanos();
  uint64_t copied = 0;
  size_t next = 0;
  while (next < live.size()) {
    WorkItem item;
    item.kind = WorkItem::Kind::kMoves;
    size_t chunk = 0;
    for (; next < live.size() && chunk < kMoveChunkBytes; ++next) {
      const auto& [handle, loc] = live[next];
      std::string data;
      Status s = ReadAt(loc, handle, &data);
      if (!s.ok()) return s;
      chunk += EncodedRecordSize(data.size());
      item.moves.push_back(Move{handle, loc, std::move(data)});
    }
    Submit(&item);
    item.finished.Wait(CommitWait::kSpinThenSleep);
    HASTORE_RETURN_IF_ERROR(item.result);
    copied += chunk;
    compacted_bytes_.fetch_add(chunk, std::memory_order_relaxed);
    const uint64_t rate = config_.file.compaction_rate;
    // Stay under the configured copy rate, unless writers make garbage faster than that.
    if (rate > 0 && Pressure() == CompactionPressure::kCompact) {
      const uint64_t due = copied * 1000000000ull / rate;
      const uint64_t spent = clock_->NowMonotonicNanos() - started;
      if (due > spent) clock_->SleepForNanos(due - spent);
    }
  }
  {
    std::unique_lock lock(index_mu_);
    if (index_.LiveBytes(victim->number) != 0) {
      return Status::Failed("compaction of " + victim->name + " left live records behind");
    }
    segments_.erase(victim->number);
    log_bytes_.fetch_sub(victim->end, std::memory_order_relaxed);
  }
  WakeStalled();
  // Removal needs no sync to be safe: should it be undone by a crash, recovery finds the old
  // segment still in the chain and its records overridden by the moves that follow.
  HASTORE_RETURN_IF_ERROR(fs_->Remove(JoinPath(dir_, victim->name)));
  HASTORE_RETURN_IF_ERROR(fs_->SyncDir(dir_));
  if (victim->cache) RemoveCache(*victim);
  compacted_segments_.fetch_add(1, std::memory_order_relaxed);
  Logger()->debug("{}: compacted {} ({} live bytes copied)", instance_, victim->name, copied);
  return true;
}

}  // namespace hastore::filestore
