// The file store: one writer thread per instance does every append (group commit); readers
// use the index under a shared lock and read record bytes with pread.
//
// Lock order: define_mu_ -> queue_mu_; index_mu_ is never held while waiting on anything.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "batch_builder.h"
#include "compaction_pressure.h"
#include "fence_file.h"
#include "hastore/filestore/file_store.h"
#include "hastore/storage/completion.h"
#include "io_engine.h"
#include "record_index.h"
#include "recovery.h"

namespace hastore::filestore {

// One segment's open files. The read file is shared with readers, so a segment removed by
// compaction stays readable until the last reader lets go.
struct SegmentFiles {
  uint32_t number = 0;
  std::string name;
  std::shared_ptr<File> read;
  // Direct-Write-With-Cache: a buffered copy in <cache dir>/WLStoreCache/, byte for byte, that
  // serves reads from the page cache (direct writes bypass it). Null when absent or dropped.
  std::shared_ptr<File> cache;
  uint64_t end = 0;  // end of the log in it (writer thread; readers do not need it)
};

// A relocation of one live record by compaction.
struct Move {
  Handle handle;
  Location from;
  std::string data;
};

// One unit of work for the writer thread.
struct WorkItem {
  enum class Kind : uint8_t { kTransaction, kConnection, kMoves, kRoll };
  Kind kind = Kind::kTransaction;
  Transaction txn;
  uint32_t connection_id = 0;
  std::string connection_name;
  std::vector<Move> moves;
  CommitCallback done;  // async commits
  // Sync commits wait on `finished`, with the outcome in `result`.
  Completion finished;
  Status result;
};

// file.io_buffer_size -1: large enough that batches are bounded by the commits waiting, not
// by the buffer, at 64 writers of 16 KiB (1 MiB).
inline constexpr uint64_t kDefaultIoBufferBytes = uint64_t{4} << 20;

class FileStore final : public Store {
 public:
  FileStore(const StoreConfig& config, const FileStoreOptions& options);
  ~FileStore() override;

  Status Open(const Ownership& ownership);

  const std::string& instance() const override { return instance_; }
  Result<Connection> OpenConnection(std::string_view name) override;
  std::vector<Connection> Connections() const override;
  Status Commit(Transaction txn) override;
  void CommitAsync(Transaction txn, CommitCallback done) override;
  Result<std::string> Read(Handle handle) const override;
  Status Scan(const Connection& connection, const ScanFn& fn) const override;
  StoreStats Stats() const override;
  Status Health() const override;
  Status Close() override;

  Result<uint32_t> Compact(bool force);

 protected:
  Handle NewHandle() override { return next_handle_.fetch_add(1, std::memory_order_relaxed); }
  void ReserveHandle(Handle handle) override { RaiseTo(next_handle_, handle + 1); }
  bool Contains(Handle handle) const override;
  uint64_t MaxRecordSize() const override { return config_.max_record_size; }
  std::string_view RecordLimitName() const override { return options_.record_limit; }
  bool KnowsConnection(uint32_t id) const override;

 private:
  enum class State : uint8_t { kOpen, kFailed, kFenced, kClosed };

  // --- open (file_store.cc)
  Status TakeOwnership(const Ownership& ownership);
  // Claims epoch_ from storage that checks epochs (options_.claim), then writes and syncs the
  // fence file.
  Status Fence();
  Status ChooseEngine();
  Status LoadRecovered(RecoveryReport& report);
  // HASTORE_CHECKs that the recovered index points into the log only (index_mu_ held).
  void CheckIndexInLog() const;
  // kCorruption when no epoch can follow `epoch` (read from `where`).
  Status CheckNextEpoch(uint64_t epoch, const std::string& where) const;
  Status RemoveOrphans(const RecoveryReport& report);
  Result<std::shared_ptr<SegmentFiles>> SegmentFor(uint32_t number) const;
  Status ReadAt(const Location& loc, Handle handle, std::string* out) const;

  // --- writer (writer.cc)
  void Submit(WorkItem* item);
  void WriterLoop();
  void ProcessGroup(std::vector<WorkItem*>& items);
  Status CreateSegment();
  // CreateSegment for a roll of the head; the instance fails when it cannot.
  void RollHead();
  Status PrewriteAhead(uint64_t need_end);
  Status WriteZeros(File& file, uint64_t from, uint64_t to);
  // Finishes the batch in batch_ and writes (and syncs) it at the head's end; returns its size.
  Result<size_t> WriteHeadBatch();
  // Makes the batch just written part of the log; returns with index_mu_ held, so the caller
  // can publish the batch's index changes in the same critical section.
  std::unique_lock<std::shared_mutex> AdvanceHead(size_t len);
  // After a sync: stop (fenced) if another owner's epoch is in the fence.
  void CheckFence();
  // The writer, at most once a second while it runs without the lock it should hold.
  void TakeLockOnceFree();
  std::string LockPath() const;  // U.LOCK in the store's directory
  std::string FencePath() const;  // U.FENCE in the store's directory
  std::string CacheBase() const;  // the directory that holds WLStoreCache/
  std::string CacheDir() const;
  Result<std::string> CachePath(uint32_t number) const;  // a segment's mirror
  // Keeps a mirror recovery read up to cache_end, after copying the primary's bytes past it.
  void AdoptCache(SegmentFiles& seg, std::shared_ptr<File> mirror, uint64_t cache_end);
  // Removes the mirror of a segment compaction removed (open readers keep their descriptor).
  void RemoveCache(const SegmentFiles& seg);
  void OpenCache(SegmentFiles& seg, const char* header_block);
  void MirrorToCache(SegmentFiles& seg, const char* buf, size_t len, uint64_t offset);
  Status RemoveStaleCaches();
  Status WriteCatalogue();
  void Complete(WorkItem* item, Status s);
  void Fail(State state, Status why);
  Status StateStatus() const;
  Status ReadOnlyError() const;
  bool ShouldRoll(uint64_t batch_bytes) const;

  // --- compaction (compactor.cc)
  void CompactorLoop();
  void WakeCompactor();
  // Wakes the commits waiting in WaitForCompaction to look again. Takes compact_mu_ first, so
  // that a waiter is either before its check (and sees what changed) or asleep.
  void WakeStalled();
  CompactionPressure Pressure() const;
  // Before a commit is queued: while compaction is far behind (kStall), waits for it to catch
  // up, for a bounded time.
  void WaitForCompaction();
  // Compacts the oldest segment if it is below `below` (a file number) and worth it.
  Result<bool> CompactOldest(bool force, uint32_t below);

  const StoreConfig config_;
  const FileStoreOptions options_;
  std::string instance_;
  std::string dir_;
  FileSystem* fs_;
  Clock* clock_;
  uint32_t block_ = 4096;
  // The most bytes one group-commit batch gathers (file.io_buffer_size); a larger transaction
  // still goes, alone.
  uint64_t io_buffer_bytes_ = kDefaultIoBufferBytes;
  uint64_t epoch_ = 0;
  // Null after a lease epoch took over from a holder of the lock: the writer takes it once the
  // holder lets go (TakeLockOnceFree), so single-server tools are kept out again.
  std::unique_ptr<FileLock> lock_;
  uint64_t next_lock_attempt_ms_ = 0;
  std::unique_ptr<FenceFile> fence_;
  std::string fence_holder_;
  std::unique_ptr<IoEngine> engine_;

  // Index, connections and segment table: shared by readers, changed by the writer.
  mutable std::shared_mutex index_mu_;
  RecordIndex index_;
  std::map<uint32_t, std::string> connections_;
  std::unordered_map<std::string, uint32_t> connection_ids_;
  std::map<uint32_t, std::shared_ptr<SegmentFiles>> segments_;
  std::atomic<uint64_t> next_handle_{1};
  std::mutex define_mu_;  // serialises definitions of new connections

  // Writer-thread state.
  std::unique_ptr<File> head_write_;  // the head segment, opened for appends
  std::shared_ptr<SegmentFiles> head_;
  uint64_t head_start_ = 0;  // where the head's first batch after its catalogue goes
  uint64_t prewritten_ = 0;  // the head's bytes up to here are written (zeros past the log)
  uint32_t next_file_number_ = 0;
  uint64_t next_seq_ = 1;
  uint64_t next_txn_ = 1;
  BatchBuilder batch_;
  AlignedBuffer zeros_;

  // The commit queue.
  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::vector<WorkItem*> queue_;
  bool stopping_ = false;
  std::thread writer_;

  // Compaction.
  std::mutex compact_mu_;  // guards compact_stop_, compact_wanted_ and the compactor's wake-ups
  std::condition_variable compact_cv_;
  std::mutex compact_run_mu_;  // one compaction at a time (background or CompactFileStore)
  bool compact_stop_ = false;
  bool compact_wanted_ = false;  // a segment was sealed since the compactor last looked
  std::condition_variable stall_cv_;  // commits waiting for compaction (under compact_mu_)
  // Bytes of the log (segment ends summed) and of the live records in it, for the pressure.
  std::atomic<uint64_t> log_bytes_{0};
  std::atomic<uint64_t> live_log_bytes_{0};
  std::thread compactor_;

  std::atomic<State> state_{State::kOpen};
  mutable std::mutex failure_mu_;
  Status failure_;

  std::atomic<uint64_t> commits_{0};
  std::atomic<uint64_t> batches_{0};
  std::atomic<uint64_t> compacted_bytes_{0};
  std::atomic<uint64_t> compacted_segments_{0};
};

}  // namespace hastore::filestore
