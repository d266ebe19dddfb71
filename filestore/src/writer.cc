// The writer thread: group commit, segment creation and roll-over.
//
// Every append goes through here, one batch at a time: validate each waiting item against the
// index (and the items before it in the batch), lay them out in one buffer, write and sync it
// once, check the fence, then publish the changes to the index and complete every waiter.
// Only one batch is ever unsynced, which is what the torn-tail rule of recovery relies on.
#include "hastore/storage/log.h"

#include <cstring>

#include "file_store_impl.h"
#include "hastore/storage/names.h"

namespace hastore::filestore {
namespace {

// What the batch being assembled has done to a handle so far.
struct Pending {
  bool alive;
  uint32_t connection;
};
using Overlay = std::unordered_map<Handle, Pending>;

struct Change {
  enum class Kind : uint8_t { kPut, kErase, kConnection } kind;
  Handle handle;
  Location loc;
  std::string name;  // kConnection
};

bool IsDirect(SyncPolicy p) { return p == SyncPolicy::kDirectWrite || p == SyncPolicy::kDirectWriteWithCache; }

// One record an item will write.
struct Planned {
  RecordType type;
  Handle handle;
  uint32_t connection;
  std::string_view data;
};

// Decides the records an item writes, checking it against the index and what the batch so far
// has done (`batch`) without changing either; `mine` collects what the item does to handles.
// A non-OK status rejects the whole item.
Status PlanItem(const WorkItem& item, const RecordIndex& index, const std::map<uint32_t, std::string>& connections,
                const std::string& instance, const Overlay& batch, Overlay* mine, std::vector<Planned>* plan) {
  auto pending = [&](Handle h) -> const Pending* {
    if (auto it = mine->find(h); it != mine->end()) return &it->second;
    if (auto it = batch.find(h); it != batch.end()) return &it->second;
    return nullptr;
  };
  switch (item.kind) {
    case WorkItem::Kind::kRoll:
      return Status::Ok();
    case WorkItem::Kind::kConnection:
      plan->push_back({RecordType::kConnection, 0, item.connection_id, item.connection_name});
      return Status::Ok();
    case WorkItem::Kind::kMoves:
      // A copy is dropped when the record changed after compaction read it.
      for (const Move& m : item.moves) {
        const Location* loc = index.Find(m.handle);
        if (pending(m.handle) || !loc || loc->file != m.from.file || loc->offset != m.from.offset) continue;
        plan->push_back({RecordType::kMove, m.handle, loc->connection, m.data});
      }
      return Status::Ok();
    case WorkItem::Kind::kTransaction:
      break;
  }
  for (const Transaction::Op& op : item.txn.ops()) {
    uint32_t conn = op.connection;
    if (op.kind == Transaction::OpKind::kCreate) {
      if (connections.count(conn) == 0) {
        return Status::InvalidArgument("connection id " + std::to_string(conn) + " is not defined");
      }
      (*mine)[op.handle] = {true, conn};
      plan->push_back({RecordType::kCreate, op.handle, conn, op.data});
      continue;
    }
    bool alive = false;
    if (const Pending* p = pending(op.handle)) {
      alive = p->alive;
      conn = p->connection;
    } else if (const Location* loc = index.Find(op.handle)) {
      alive = true;
      conn = loc->connection;
    }
    if (!alive) {
      return Status::NotFound("instance " + instance + " has no record with handle " + std::to_string(op.handle) +
                              " (the transaction changed nothing)");
    }
    const bool update = op.kind == Transaction::OpKind::kUpdate;
    (*mine)[op.handle] = {update, conn};
    plan->push_back({update ? RecordType::kUpdate : RecordType::kRemove, op.handle, conn, op.data});
  }
  return Status::Ok();
}

}  // namespace

Status FileStore::StateStatus() const {
  switch (state_.load()) {
    case State::kOpen: return Status::Ok();
    case State::kClosed: return Status::Closed("instance " + instance_ + " is closed");
    case State::kFailed:
    case State::kFenced: {
      std::lock_guard lock(failure_mu_);
      return failure_;
    }
  }
  return Status::Ok();
}

void FileStore::Fail(State state, Status why) {
  {
    std::lock_guard lock(failure_mu_);
    if (state_.load() != State::kOpen) return;  // the first failure is the one to report
    if (why.code() == StatusCode::kFenced) state = State::kFenced;  // storage that checks epochs refused one
    if (state == State::kFailed && why.code() != StatusCode::kFailed) {
      why = Status::Failed("instance " + instance_ + " failed: " + why.message() +
                           "; commits in flight have an unknown outcome; close and reopen");
    }
    failure_ = std::move(why);
    state_ = state;
    Logger()->error("{}: {}", instance_, failure_.ToString());
  }
  WakeStalled();  // commits waiting for compaction now fail at once
}

void FileStore::Complete(WorkItem* item, Status s) {
  if (item->done) {
    CommitCallback done = std::move(item->done);
    delete item;  // async items are owned by the store
    done(std::move(s));
    return;
  }
  item->result = std::move(s);
  item->finished.Signal();
}

void FileStore::Submit(WorkItem* item) {
  {
    std::lock_guard lock(queue_mu_);
    if (!stopping_) {
      queue_.push_back(item);
      queue_cv_.notify_one();
      return;
    }
  }
  Complete(item, Status::Closed("instance " + instance_ + " is closed"));
}

Status FileStore::Commit(Transaction txn) {
  if (options_.read_only) return ReadOnlyError();
  if (txn.empty()) {
    const Status health = StateStatus();
    return health.ok() ? health : Status::NotAppliedBecause(health);
  }
  WaitForCompaction();
  WorkItem item;
  item.txn = std::move(txn);
  Submit(&item);
  item.finished.Wait(CommitWait::kSpinThenSleep);
  return std::move(item.result);
}

void FileStore::CommitAsync(Transaction txn, CommitCallback done) {
  if (options_.read_only) {
    done(ReadOnlyError());
    return;
  }
  WaitForCompaction();
  auto* item = new WorkItem;
  item->txn = std::move(txn);
  item->done = std::move(done);
  Submit(item);
}

void FileStore::WriterLoop() {
  std::vector<WorkItem*> items;
  for (;;) {
    {
      std::unique_lock lock(queue_mu_);
      queue_cv_.wait(lock, [&] { return !queue_.empty() || stopping_; });
      if (queue_.empty()) return;  // stopping, and everything submitted was completed
      items.swap(queue_);
    }
    ProcessGroup(items);
    items.clear();
  }
}

bool FileStore::ShouldRoll(uint64_t batch_bytes) const {
  if (head_->end == head_start_) return false;  // a fresh head takes any batch that fits at all
  if (head_->end + batch_bytes > config_.file.max_file_size) return true;
  // Under churn a small live set should not wait for a 1.3 GB segment to fill before
  // compaction can reclaim anything: roll at half the live data, at least 16 MiB.
  const uint64_t soft = std::min<uint64_t>(config_.file.max_file_size, std::max<uint64_t>(16u << 20, index_.data_bytes() / 2));
  return head_->end + batch_bytes > soft;
}

void FileStore::ProcessGroup(std::vector<WorkItem*>& items) {
  size_t i = 0;
  while (i < items.size()) {
    const Status health = StateStatus();
    if (!health.ok()) {
      // None of these items is in a batch that was written: the failure or fence came first.
      const Status refused = Status::NotAppliedBecause(health);
      for (; i < items.size(); ++i) Complete(items[i], refused);
      return;
    }
    batch_.Reset(head_->number, epoch_);
    Overlay overlay;
    std::vector<Change> changes;
    std::vector<WorkItem*> in_batch;
    const uint64_t base = head_->end;
    bool roll = false;
    for (; i < items.size(); ++i) {
      WorkItem* item = items[i];
      Overlay mine;
      std::vector<Planned> plan;
      Status invalid = PlanItem(*item, index_, connections_, instance_, overlay, &mine, &plan);
      uint64_t bytes = 0;
      for (const Planned& p : plan) bytes += EncodedRecordSize(p.data.size());
      if (invalid.ok() && bytes + kBatchHeaderSize + 2 * block_ > config_.file.max_file_size) {
        invalid = Status::TooLarge("transaction of " + std::to_string(bytes) + " bytes does not fit in a segment of " +
                                   "file.max_file_size " + std::to_string(config_.file.max_file_size) + " bytes");
      }
      if (!invalid.ok()) {
        Complete(item, invalid);
        continue;
      }
      if (item->kind == WorkItem::Kind::kRoll) {
        if (!in_batch.empty()) {  // write the batch first, then roll; this item finds a fresh head
          roll = true;
          break;
        }
        ++i;
        if (head_->end > head_start_) RollHead();
        Complete(item, StateStatus());
        break;
      }
      if (plan.empty()) {  // every move was overtaken by newer writes
        Complete(item, Status::Ok());
        continue;
      }
      const uint64_t batch_with_item = batch_.AlignedSizeWith(bytes);
      if (head_->end == head_start_ && head_->end + batch_with_item > config_.file.max_file_size) {
        Complete(item, Status::TooLarge("transaction of " + std::to_string(bytes) + " bytes does not fit in a segment " +
                                        "after its catalogue of connections (file.max_file_size " +
                                        std::to_string(config_.file.max_file_size) + ")"));
        continue;
      }
      if (!in_batch.empty() && batch_with_item > io_buffer_bytes_) break;  // the next batch takes it
      if (ShouldRoll(batch_with_item)) {
        roll = true;
        if (!in_batch.empty()) break;  // write what we have; this item goes in the next segment
        RollHead();
        break;  // start over on the new head (or fail the rest)
      }
      const uint64_t txn_id = next_txn_++;
      for (size_t k = 0; k < plan.size(); ++k) {
        const Planned& p = plan[k];
        RecordHeader h;
        h.type = p.type;
        h.flags = k + 1 == plan.size() ? kLastInTransaction : 0;
        h.connection = p.connection;
        h.handle = p.handle;
        h.txn = txn_id;
        const uint64_t at = base + batch_.Add(h, p.data);
        const Location loc{head_->number, p.connection, static_cast<uint32_t>(at), static_cast<uint32_t>(p.data.size())};
        switch (p.type) {
          case RecordType::kConnection: changes.push_back({Change::Kind::kConnection, 0, loc, std::string(p.data)}); break;
          case RecordType::kRemove: changes.push_back({Change::Kind::kErase, p.handle, loc, {}}); break;
          default: changes.push_back({Change::Kind::kPut, p.handle, loc, {}}); break;
        }
      }
      for (auto& [h, p] : mine) overlay[h] = p;
      in_batch.push_back(item);
    }
    if (in_batch.empty()) continue;

    auto written = WriteHeadBatch();
    if (!written.ok()) {
      // Never retry a failed write or sync: what reached the disk is unknown. Recovery decides.
      Fail(State::kFailed, written.status());
    } else {
      if (!options_.claim) CheckFence();  // else the storage refused the write of a stale epoch
      TakeLockOnceFree();
    }
    const Status outcome = StateStatus();
    if (outcome.ok()) {
      auto lock = AdvanceHead(*written);  // the batch's index changes go in the same critical section
      for (const Change& c : changes) {
        switch (c.kind) {
          case Change::Kind::kPut: index_.Put(c.handle, c.loc); break;
          case Change::Kind::kErase: index_.Erase(c.handle); break;
          case Change::Kind::kConnection:
            connections_[c.loc.connection] = c.name;
            connection_ids_[c.name] = c.loc.connection;
            break;
        }
      }
      live_log_bytes_.store(index_.encoded_bytes(), std::memory_order_relaxed);
    }
    batches_.fetch_add(1, std::memory_order_relaxed);
    commits_.fetch_add(in_batch.size(), std::memory_order_relaxed);
    for (WorkItem* item : in_batch) Complete(item, outcome);
    if (roll && outcome.ok()) RollHead();
  }
}

Result<size_t> FileStore::WriteHeadBatch() {
  const size_t len = batch_.Finish(next_seq_);
  HASTORE_RETURN_IF_ERROR(PrewriteAhead(head_->end + len));
  HASTORE_RETURN_IF_ERROR(
      engine_->WriteBatch(head_write_.get(), batch_.data(), len, head_->end, IsDurable(config_.file.sync_policy)));
  return len;
}

std::unique_lock<std::shared_mutex> FileStore::AdvanceHead(size_t len) {
  MirrorToCache(*head_, batch_.data(), len, head_->end);
  std::unique_lock lock(index_mu_);  // compaction reads segment ends under it
  head_->end += len;
  log_bytes_.fetch_add(len, std::memory_order_relaxed);
  ++next_seq_;
  return lock;
}

void FileStore::CheckFence() {
  if (!fence_) return;
  auto fence = fence_->Read();
  if (!fence.ok()) {
    Fail(State::kFailed, Status::Failed("instance " + instance_ + ": cannot check the fence: " +
                                        fence.status().message() + "; commits in flight have an unknown outcome"));
  } else if (fence->epoch != epoch_) {
    Fail(State::kFenced, Status::Fenced("instance " + instance_ + " was taken over: " + fence_->path() +
                                        " holds epoch " + std::to_string(fence->epoch) + " of " + fence->holder +
                                        ", this owner has epoch " + std::to_string(epoch_) +
                                        "; commits in flight have an unknown outcome"));
  }
}

void FileStore::TakeLockOnceFree() {
  if (lock_ || !config_.file.file_locking_enabled) return;
  const uint64_t now = clock_->NowMonotonicMs();
  if (now < next_lock_attempt_ms_) return;
  next_lock_attempt_ms_ = now + 1000;
  auto lock = fs_->Lock(LockPath(), fence_holder_);
  if (lock.ok()) lock_ = std::move(lock).value();
}

void FileStore::RollHead() {
  // A failed roll may have written the new header, which seals the old head: nothing more may
  // be appended to either, so the instance fails.
  if (Status s = CreateSegment(); !s.ok()) Fail(State::kFailed, s);
}

Status FileStore::WriteZeros(File& file, uint64_t from, uint64_t to) {
  const size_t chunk = 1u << 20;  // a multiple of every block size, so fine for direct I/O
  if (zeros_.data() == nullptr) {  // made once; nothing ever writes into it
    zeros_.Reserve(chunk, 0);
    std::memset(zeros_.data(), 0, chunk);
  }
  for (uint64_t off = from; off < to; off += chunk) {
    HASTORE_RETURN_IF_ERROR(file.Write(off, zeros_.data(), std::min<uint64_t>(chunk, to - off)));
  }
  return Status::Ok();
}

Status FileStore::CreateSegment() {
  if (next_file_number_ > kMaxFileNumber) {
    return Status::Failed("instance " + instance_ + " has used every segment number up to " + std::to_string(kMaxFileNumber));
  }
  const uint32_t number = next_file_number_++;
  auto name = DatFileName(instance_, number);
  if (!name.ok()) return name.status();
  const std::string path = JoinPath(dir_, *name);
  const bool direct = IsDirect(config_.file.sync_policy);
  auto wf = fs_->Open(path, OpenOptions{.create = true, .exclusive = true, .direct = direct});
  if (!wf.ok()) return wf.status();

  SegmentHeader h;
  h.block_size = block_;
  h.file_number = number;
  h.epoch = epoch_;
  h.first_seq = next_seq_;
  h.next_handle = next_handle_.load();
  h.next_txn = next_txn_;
  h.prev_file = head_ ? head_->number : kNoFile;
  h.prev_end = head_ ? head_->end : 0;
  h.prev_last_seq = next_seq_ - 1;
  h.instance = instance_;
  const bool durable = IsDurable(config_.file.sync_policy);
  // The header block, then zeros up to Initial Size: pre-written blocks make later syncs
  // cheaper than writes that grow the file.
  AlignedBuffer header;
  header.Reserve(block_, 0);
  std::memset(header.data(), 0, block_);
  EncodeSegmentHeader(h, header.data());
  HASTORE_RETURN_IF_ERROR((*wf)->Write(0, header.data(), block_));
  const uint64_t prewrite = std::max<uint64_t>(block_, AlignUp(config_.file.initial_size, block_));
  HASTORE_RETURN_IF_ERROR(WriteZeros(**wf, block_, prewrite));
  if (durable) HASTORE_RETURN_IF_ERROR((*wf)->Sync());
  prewritten_ = prewrite;
  if (durable) HASTORE_RETURN_IF_ERROR(fs_->SyncDir(dir_));
  auto rf = fs_->Open(path, OpenOptions{.read_only = true});
  if (!rf.ok()) return rf.status();

  auto seg = std::make_shared<SegmentFiles>();
  seg->number = number;
  seg->name = *name;
  seg->read = std::move(rf).value();
  seg->end = block_;
  log_bytes_.fetch_add(block_, std::memory_order_relaxed);
  OpenCache(*seg, header.data());
  {
    std::unique_lock lock(index_mu_);
    segments_[number] = seg;
  }
  head_ = seg;
  head_write_ = std::move(wf).value();
  HASTORE_RETURN_IF_ERROR(WriteCatalogue());
  head_start_ = head_->end;
  if (options_.background_compaction) WakeCompactor();  // the sealed segment may be worth compacting
  return Status::Ok();
}

Status FileStore::PrewriteAhead(uint64_t need_end) {
  // A sync that only overwrites written blocks costs about half one that grows the file (the
  // size change is metadata), so keep zeros written ahead of the log. The batch's own sync
  // makes them durable; recovery reads zeros after the last batch as the end of the log.
  constexpr uint64_t kAhead = 8u << 20;
  prewritten_ = std::max(prewritten_, head_->end);  // never write zeros over the log
  if (need_end <= prewritten_ || !IsDurable(config_.file.sync_policy) || !options_.prewrite) return Status::Ok();
  const uint64_t target = std::min(config_.file.max_file_size / block_ * block_, AlignUp(need_end + kAhead, block_));
  if (target <= prewritten_) return Status::Ok();
  HASTORE_RETURN_IF_ERROR(WriteZeros(*head_write_, prewritten_, target));
  prewritten_ = target;
  return Status::Ok();
}

Status FileStore::WriteCatalogue() {
  // Every segment starts with the definitions of all connections, so compaction can drop any
  // older segment without losing one.
  if (connections_.empty()) return Status::Ok();
  batch_.Reset(head_->number, epoch_);
  size_t k = 0;
  const uint64_t txn_id = next_txn_++;
  for (const auto& [id, name] : connections_) {
    RecordHeader h;
    h.type = RecordType::kConnection;
    h.flags = ++k == connections_.size() ? kLastInTransaction : 0;
    h.connection = id;
    h.txn = txn_id;
    batch_.Add(h, name);
  }
  auto written = WriteHeadBatch();
  if (!written.ok()) return written.status();
  AdvanceHead(*written);
  return Status::Ok();
}

}  // namespace hastore::filestore
