// The commit path of a JDBC store: queued commits are merged into groups, and each group is
// one database transaction on a worker's connection (jdbcstore/FORMAT.md, "Commits").
#include <algorithm>
#include <chrono>
#include <initializer_list>
#include <thread>
#include <unordered_set>

#include "jdbc_store_impl.h"
#include "table_layout.h"

namespace hastore::jdbcstore {

namespace {

// A group stops growing at this many commits or bytes of record data (one commit always goes).
constexpr size_t kMaxGroupItems = 1024;
constexpr uint64_t kMaxGroupBytes = 8ull << 20;
// How long a lost one-statement group's outcome is looked for (OneStatementStored).
constexpr std::chrono::seconds kOutcomeLookup{2};
// How often the first worker makes sure the store still holds its session lock.
constexpr std::chrono::seconds kSessionLockRecheck{1};

// The records a transaction creates, when creating is all it does; 0 otherwise.
size_t CreatesOnly(const CommitItem& item) {
  if (item.kind != CommitItem::Kind::kTransaction) return 0;
  for (const Transaction::Op& op : item.txn.ops()) {
    if (op.kind != Transaction::OpKind::kCreate) return 0;
  }
  return item.txn.ops().size();
}

std::vector<Handle> TouchedHandles(const Transaction& txn) {
  std::vector<Handle> out;
  for (const Transaction::Op& op : txn.ops()) {
    if (op.kind != Transaction::OpKind::kCreate) out.push_back(op.handle);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace

// ---- queue ------------------------------------------------------------------------------------

Status JdbcStore::Commit(Transaction txn) {
  CommitItem item;
  item.txn = std::move(txn);
  return SubmitAndWait(item);
}

Status JdbcStore::SubmitAndWait(CommitItem& item) {
  Lead lead;
  Submit(&item, &lead);
  if (lead.worker != kNoWorker) RunGroup(lead.worker, std::move(lead.group), &item);
  item.finished.Wait();
  if (item.wake_tree) item.wake_tree->WakeChildren(item.wake_index);
  return item.result;
}

void JdbcStore::CommitAsync(Transaction txn, CommitCallback done) {
  auto* item = new CommitItem;
  item->txn = std::move(txn);
  item->done = std::move(done);
  Submit(item, nullptr);
}

void JdbcStore::Submit(CommitItem* item, Lead* lead) {
  if (item->kind == CommitItem::Kind::kTransaction) item->touches = TouchedHandles(item->txn);
  Status refused = StateStatus();
  if (refused.ok() && options_.read_only) {
    refused = Status::NotSupported("store " + instance_ + " (table " + table_ + ") is open read-only");
  }
  if (!refused.ok()) return Complete(item, Status::NotAppliedBecause(refused));
  if (item->kind == CommitItem::Kind::kTransaction && item->txn.empty()) return Complete(item, Status::Ok());
  {
    std::lock_guard lock(queue_mu_);
    if (stopping_) {
      refused = Status::Closed("store " + instance_ + " (table " + table_ + ") is closing");
    } else {
      queue_.push_back(item);
      // A committing thread that finds a worker's connection idle runs the group itself: two
      // thread hand-offs fewer, which is what one writer waits for besides the database. It
      // takes synchronous commits only: an async commit's callback runs on a store thread
      // (store.h), never on a committer's, which may hold locks of its own (define_mu_).
      auto idle = std::find(link_busy_.begin(), link_busy_.end(), false);
      if (lead != nullptr && idle != link_busy_.end() && HeadIsFree() && !queue_.front()->done) {
        *idle = true;
        lead->worker = static_cast<size_t>(idle - link_busy_.begin());
        lead->group = TakeGroup(/*sync_only=*/true);
        idle = std::find(link_busy_.begin(), link_busy_.end(), false);  // for what the group left
      }
      // Wake a worker whose connection is free; with none, the end of a group wakes one.
      if (!queue_.empty() && idle != link_busy_.end()) worker_cv_[static_cast<size_t>(idle - link_busy_.begin())].notify_one();
    }
  }
  if (!refused.ok()) return Complete(item, refused);
}

void JdbcStore::Complete(CommitItem* item, Status s) {
  if (item->done) {
    CommitCallback done = std::move(item->done);
    delete item;
    done(std::move(s));
    return;
  }
  item->result = std::move(s);
  item->finished.Signal();
}

void JdbcStore::CompleteGroup(const std::vector<CommitItem*>& group, const Status& s, CommitItem* leader) {
  // Measured before committers ran groups themselves (64 writers on PostgreSQL, three paired
  // 3-s runs): with one worker, waking every committer here was faster in each pair (73-93k
  // commits/s, 61-83k with the tree), likely because the woken ones queue again meanwhile and
  // the next group is larger; with two workers the tree was faster in each pair (81-116k with
  // it, 77-97k without).
  if (worker_count_ == 1) {
    for (CommitItem* item : group) Complete(item, s);
    return;
  }
  std::vector<Completion*> waiters;
  std::vector<CommitItem*> callbacks;
  for (CommitItem* item : group) {
    if (item == leader) {
      Complete(item, s);  // awake: it is this thread
    } else if (item->done) {
      callbacks.push_back(item);
    } else {
      item->result = s;
      waiters.push_back(&item->finished);
    }
  }
  if (!waiters.empty()) {
    auto tree = std::make_shared<const WakeTree>(std::move(waiters));
    size_t index = 0;
    for (CommitItem* item : group) {
      if (item->done || item == leader) continue;
      item->wake_tree = tree;
      item->wake_index = index++;
    }
    tree->WakeChildren(WakeTree::kRoot);
  }
  for (CommitItem* item : callbacks) Complete(item, s);
}

bool JdbcStore::Conflicts(const CommitItem& item) const {
  return std::any_of(item.touches.begin(), item.touches.end(), [&](Handle h) { return in_flight_.count(h) != 0; });
}

bool JdbcStore::HeadIsFree() const { return !queue_.empty() && !Conflicts(*queue_.front()); }

std::vector<CommitItem*> JdbcStore::TakeGroup(bool sync_only) {
  std::vector<CommitItem*> group;
  uint64_t bytes = 0;
  size_t taken = 0;
  // One INSERT's worth of creates when the head is a transaction that only creates (a
  // one-statement group, FORMAT.md "Commits"); a group of any kind otherwise.
  const size_t per_insert = config_.jdbc.inserts_per_batch_maximum;
  const size_t head_creates = queue_.empty() ? 0 : CreatesOnly(*queue_.front());
  const bool one_statement = sql_->one_statement_groups() && head_creates != 0 && head_creates <= per_insert;
  size_t creates = 0;
  for (; taken < queue_.size() && group.size() < kMaxGroupItems; ++taken) {
    CommitItem* item = queue_[taken];
    if (Conflicts(*item)) break;  // it, and everything queued after it, waits for the group in flight
    if (one_statement) {
      const size_t n = CreatesOnly(*item);
      if (n == 0 || creates + n > per_insert) break;
      creates += n;
    }
    if (sync_only && item->done) break;  // left, in order, for a worker
    if (!group.empty() && bytes + item->txn.data_bytes() > kMaxGroupBytes) break;
    bytes += item->txn.data_bytes();
    group.push_back(item);
  }
  queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(taken));
  for (CommitItem* item : group) {
    for (Handle h : item->touches) ++in_flight_[h];
  }
  return group;
}

// ---- worker -----------------------------------------------------------------------------------

void JdbcStore::RetakeSessionLock() {
  const auto now = std::chrono::steady_clock::now();
  if (!session_lock_ || now - session_lock_checked_ < kSessionLockRecheck) return;
  session_lock_checked_ = now;
  // An owner that took over from a live one, or whose database restarted, does not hold it:
  // take it once the session holding it is gone, so that "live" stays true of this owner.
  Result<bool> held = session_lock_->TryAcquire();
  session_lock_held_ = held.ok() && *held;
}

void JdbcStore::WorkerLoop(size_t worker) {
  const bool keeps_lock = worker == 0;
  for (;;) {
    std::vector<CommitItem*> group;
    {
      std::unique_lock lock(queue_mu_);
      auto free = [&] { return !link_busy_[worker] && HeadIsFree(); };
      auto ready = [&] { return free() || (stopping_ && queue_.empty()); };
      if (keeps_lock) {
        worker_cv_[worker].wait_for(lock, kSessionLockRecheck, ready);
      } else {
        worker_cv_[worker].wait(lock, ready);
      }
      if (stopping_ && queue_.empty()) return;  // nothing left
      if (free()) {
        link_busy_[worker] = true;
        group = TakeGroup(/*sync_only=*/false);
      }
    }
    if (!group.empty()) RunGroup(worker, std::move(group), nullptr);
    if (keeps_lock) RetakeSessionLock();  // at most once a second; after the group, not before it
  }
}

void JdbcStore::RunGroup(size_t worker, std::vector<CommitItem*> group, CommitItem* leader) {
  DatabaseLink& link = *worker_links_[worker];
  // DropInvalid completes (and so may free) the items it drops: keep what they touched.
  std::vector<Handle> touched;
  for (CommitItem* item : group) touched.insert(touched.end(), item->touches.begin(), item->touches.end());
  std::vector<CommitItem*> valid = DropInvalid(std::move(group));
  Status s = StateStatus();
  bool commit_sent = false;
  if (s.ok() && !valid.empty()) s = ExecuteGroup(link, valid, &commit_sent);
  // Only a failure names the group: no string is built on the commit path.
  auto what = [&] { return "commit of " + std::to_string(valid.size()) + " transaction(s) to table " + table_; };
  if (s.ok()) {
    Apply(valid);
  } else if (!commit_sent) {
    // Refused (fenced, failed over, the store fenced meanwhile) or rolled back before its COMMIT
    // was sent: with autocommit off, nothing of it can become visible.
    s = Status::NotApplied(what() + " was rolled back or never sent; nothing of it is stored: " + s.ToString());
  } else if (s.code() != StatusCode::kFenced) {  // kFenced: the look-up found a newer owner
    s = Status::OutcomeUnknown(what() + " was sent, and its answer lost; it may or may not be durable: " + s.message());
  }
  {
    std::lock_guard lock(queue_mu_);
    for (Handle h : touched) {
      auto it = in_flight_.find(h);
      if (--it->second == 0) in_flight_.erase(it);
    }
    link_busy_[worker] = false;
    // Its connection is free for what is queued; with nothing queued, waking its worker would
    // only put it back to sleep (a futex call and a context switch per group).
    if (!queue_.empty()) worker_cv_[worker].notify_one();
    // Under the lock: Close() waits for this before it ends the connections.
    links_free_cv_.notify_all();
  }
  CompleteGroup(valid, s, leader);
}

std::vector<CommitItem*> JdbcStore::DropInvalid(std::vector<CommitItem*> group) {
  std::vector<CommitItem*> valid;
  std::unordered_set<Handle> removed;  // by earlier transactions of this group
  std::shared_lock lock(index_mu_);
  for (CommitItem* item : group) {
    Status s;
    for (const Transaction::Op& op : item->txn.ops()) {
      if (op.kind == Transaction::OpKind::kCreate) continue;
      if (!records_.count(op.handle) || removed.count(op.handle)) {
        s = Status::NotFound("no record with handle " + std::to_string(op.handle) + " in table " + table_ +
                             ": it was removed before this transaction committed");
        break;
      }
    }
    if (!s.ok()) {
      lock.unlock();
      Complete(item, s);
      lock.lock();
      continue;
    }
    for (const Transaction::Op& op : item->txn.ops()) {
      if (op.kind == Transaction::OpKind::kRemove) removed.insert(op.handle);
    }
    valid.push_back(item);
  }
  return valid;
}

// ---- one group, one database transaction -----------------------------------------------------

Status JdbcStore::CheckFence(DatabaseLink& link) {
  auto stmt = link.Statement(sql_->Fence());
  if (!stmt.ok()) return stmt.status();
  int64_t found = -1;
  if (sql_->fence_is_update()) {
    (*stmt)->BindInt64(1, static_cast<int64_t>(epoch_));
    HASTORE_RETURN_IF_ERROR((*stmt)->Execute());
    Result<int64_t> rows = (*stmt)->RowCount();
    if (!rows.ok()) return rows.status();
    if (*rows == 1) return Status::Ok();
  } else {
    Result<std::optional<int64_t>> epoch = (*stmt)->ExecuteScalar();
    if (!epoch.ok()) return epoch.status();
    found = epoch->value_or(-1);
    if (found == static_cast<int64_t>(epoch_)) return Status::Ok();
  }
  return TakenOver(found);
}

Status JdbcStore::TakenOver(int64_t found) const {
  return Status::Fenced("table " + table_ + " was taken over: its owner row no longer holds epoch " +
                        std::to_string(epoch_) + (found >= 0 ? " (it holds " + std::to_string(found) + ")" : ""));
}

Status JdbcStore::ReserveHandles(DatabaseLink& link, Handle highest) {
  std::lock_guard lock(reserve_mu_);
  if (highest < handle_limit_) return Status::Ok();
  const Handle limit = highest + kHandleReservation;
  Result<int64_t> rows = WriteOwnerRow(link, epoch_, OwnerRecord{holder_, limit}, epoch_);
  if (!rows.ok()) return rows.status();
  if (*rows != 1) return TakenOver(-1);
  HASTORE_RETURN_IF_ERROR(link.db().Commit());
  handle_limit_ = limit;
  return Status::Ok();
}

Status JdbcStore::InsertRecords(DatabaseLink& link, std::span<const Transaction::Op* const> creates) {
  const size_t per_insert = config_.jdbc.inserts_per_batch_maximum;
  for (size_t at = 0; at < creates.size(); at += per_insert) {
    const size_t n = std::min(per_insert, creates.size() - at);
    auto stmt = link.Statement(sql_->InsertRecords(n));
    if (!stmt.ok()) return stmt.status();
    for (size_t i = 0; i < n; ++i) {
      const Transaction::Op& op = *creates[at + i];
      const int p = static_cast<int>(3 * i);
      (*stmt)->BindInt64(p + 1, static_cast<int64_t>(op.handle));
      (*stmt)->BindInt64(p + 2, op.connection);
      (*stmt)->BindBytes(p + 3, op.data);
    }
    HASTORE_RETURN_IF_ERROR((*stmt)->Execute());
  }
  return Status::Ok();
}

Status JdbcStore::ExecuteGroup(DatabaseLink& link, const std::vector<CommitItem*>& group, bool* commit_sent) {
  std::vector<const Transaction::Op*> creates, updates;
  std::vector<Handle> removes;
  Handle highest = 0;
  bool only_creates = true;  // every item a transaction that creates records and does nothing else
  for (CommitItem* item : group) {
    only_creates &= item->kind == CommitItem::Kind::kTransaction && !item->txn.empty();
    for (const Transaction::Op& op : item->txn.ops()) {
      switch (op.kind) {
        case Transaction::OpKind::kCreate:
          creates.push_back(&op);
          highest = std::max(highest, op.handle);
          break;
        case Transaction::OpKind::kUpdate: updates.push_back(&op); break;
        case Transaction::OpKind::kRemove: removes.push_back(op.handle); break;
      }
    }
  }
  only_creates &= updates.empty() && removes.empty();
  // One INSERT, which is atomic by itself, commits with autocommit on: it is the group's COMMIT.
  const bool one_statement =
      sql_->one_statement_groups() && only_creates && creates.size() <= config_.jdbc.inserts_per_batch_maximum;
  DatabaseLink::ServerSession sent_on;  // the server session a one-statement group was sent on
  auto run = [&]() -> Status {
    HASTORE_RETURN_IF_ERROR(link.Ensure());  // with a session fence, checks the epoch on a new connection
    if (highest != 0) HASTORE_RETURN_IF_ERROR(ReserveHandles(link, highest));
    if (!sql_->fence_by_session()) HASTORE_RETURN_IF_ERROR(CheckFence(link));
    if (one_statement) {
      HASTORE_RETURN_IF_ERROR(link.db().SetAutocommit(true));
      sent_on = link.server_session();
      *commit_sent = true;
      Status s = InsertRecords(link, creates);
      Status back = link.db().SetAutocommit(false);
      return s.ok() ? back : s;
    }
    HASTORE_RETURN_IF_ERROR(InsertRecords(link, creates));
    for (CommitItem* item : group) {
      if (item->kind != CommitItem::Kind::kConnection) continue;
      auto stmt = link.Statement(sql_->InsertConnection());
      if (!stmt.ok()) return stmt.status();
      (*stmt)->BindInt64(1, ConnectionRowId(item->connection_id));
      (*stmt)->BindInt64(2, item->connection_id);
      (*stmt)->BindBytes(3, item->connection_name);
      HASTORE_RETURN_IF_ERROR((*stmt)->Execute());
    }
    if (!updates.empty()) {
      auto stmt = link.Statement(sql_->UpdateRecord());
      if (!stmt.ok()) return stmt.status();
      for (const Transaction::Op* op : updates) {
        (*stmt)->Reset();  // the previous update's parameters
        (*stmt)->BindBytes(1, op->data);
        (*stmt)->BindInt64(2, static_cast<int64_t>(op->handle));
        HASTORE_RETURN_IF_ERROR((*stmt)->Execute());
      }
    }
    HASTORE_RETURN_IF_ERROR(DeleteRecords(link, removes));
    *commit_sent = true;
    return link.db().Commit();
  };
  // A connection that was idle may have died since (a database restart, a new owner ending
  // this owner's sessions): a group that fails before its COMMIT was sent left nothing behind,
  // so it goes once more on a fresh connection, which also checks the epoch again.
  const bool was_connected = link.connected();
  Status s;
  for (int attempt = 0; attempt < 2; ++attempt) {
    s = run();
    if (s.ok()) break;
    if (link.connected()) (void)link.db().Rollback();
    link.Drop();  // an error may have broken the connection; the next try reconnects
    if (s.code() == StatusCode::kFenced) Fence(s);
    if (s.code() == StatusCode::kFenced) break;
    if (*commit_sent && one_statement) {
      // Its INSERT was sent, and it commits or not as a whole: a fresh connection can tell which.
      Result<bool> stored = OneStatementStored(link, creates.front()->handle, sent_on);
      if (stored.ok() && *stored) return Status::Ok();
      if (stored.ok()) *commit_sent = false;  // known not stored: as if it had never been sent
      if (!stored.ok() && stored.status().code() == StatusCode::kFenced) {
        Fence(stored.status());
        return stored.status();
      }
      if (!stored.ok()) link.Drop();  // whatever broke the look-up may have broken its connection
    }
    if (*commit_sent || !was_connected) break;
  }
  return s;
}

namespace {

// Runs a one-number query in a transaction of its own; no row is an error.
Result<int64_t> CountAlone(DatabaseLink& link, const std::string& sql, std::initializer_list<int64_t> params) {
  auto stmt = link.Statement(sql);
  if (!stmt.ok()) return stmt.status();
  int index = 0;
  for (int64_t p : params) (*stmt)->BindInt64(++index, p);
  Result<std::optional<int64_t>> found = (*stmt)->ExecuteScalar();
  (void)link.db().Rollback();  // the next query gets a snapshot (and pg_stat_activity) of its own
  if (!found.ok()) return found.status();
  if (!found->has_value()) return Status::IOError("no answer to " + sql);
  return **found;
}

}  // namespace

Result<bool> JdbcStore::OneStatementStored(DatabaseLink& link, Handle first, DatabaseLink::ServerSession session) {
  outcome_lookups_.fetch_add(1, std::memory_order_relaxed);
  if (session.id == 0) return Status::OutcomeUnknown("the session the INSERT went on is not known");
  HASTORE_RETURN_IF_ERROR(link.Ensure());  // fences: a new owner's table is not ours to read
  // A session whose client hung up ends once its statement is done: give it that long. Whether
  // it runs is asked first, and the row read after, in a later snapshot: a session already gone
  // cannot add the row once it was read as absent.
  const auto deadline = std::chrono::steady_clock::now() + kOutcomeLookup;
  for (;;) {
    Result<int64_t> runs = CountAlone(link, sql_->BackendRuns(), {session.id, session.started});
    if (!runs.ok()) return runs.status();
    Result<int64_t> rows = CountAlone(link, sql_->RowExists(), {static_cast<int64_t>(first)});
    if (!rows.ok()) return rows.status();
    if (*rows != 0) {
      // Stored here; a COMMIT of our own waits for synchronous standbys past it, as the lost
      // answer would have.
      auto xid = link.Statement(sql_->TakeTransactionId());
      if (!xid.ok()) return xid.status();
      Result<std::optional<int64_t>> taken = (*xid)->ExecuteScalar();
      if (!taken.ok()) return taken.status();
      HASTORE_RETURN_IF_ERROR(link.db().Commit());
      return true;
    }
    if (*runs == 0) return false;
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return Status::OutcomeUnknown("backend " + std::to_string(session.id) + ", which was sent the INSERT, still runs after " +
                                std::to_string(kOutcomeLookup.count()) + " s");
}

Status JdbcStore::DeleteRecords(DatabaseLink& link, const std::vector<Handle>& removes) {
  // Every statement has one shape, `per_statement` ids: the last list is filled up by repeating
  // its last id, which deletes nothing more. Up to `per_call` statements go in one call.
  const size_t per_statement = config_.jdbc.deletes_per_statement_maximum;
  const size_t per_call = config_.jdbc.deletes_per_batch_maximum;
  if (removes.empty()) return Status::Ok();
  std::vector<int64_t> ids(removes.begin(), removes.end());
  ids.resize((ids.size() + per_statement - 1) / per_statement * per_statement, ids.back());
  auto stmt = link.Statement(sql_->DeleteRecords());
  if (!stmt.ok()) return stmt.status();
  for (size_t at = 0; at < ids.size(); at += per_statement * per_call) {
    const size_t count = std::min(ids.size() - at, per_statement * per_call);
    HASTORE_RETURN_IF_ERROR((*stmt)->ExecuteInt64Rows(per_statement, std::span<const int64_t>(ids).subspan(at, count)));
  }
  return Status::Ok();
}

void JdbcStore::UnfenceSession(DatabaseLink& link) {
  if (!link.connected()) return;
  auto unlock = link.Statement(sql_->UnlockFenceShared());
  if (!unlock.ok()) return;
  (*unlock)->BindInt64(1, fence_key_);
  (void)(*unlock)->Execute();
  (*unlock)->Reset();
}

Status JdbcStore::FenceSession(DatabaseLink& link) {
  auto lock = link.Statement(sql_->LockFenceShared());
  if (!lock.ok()) return lock.status();
  (*lock)->BindInt64(1, fence_key_);
  HASTORE_RETURN_IF_ERROR((*lock)->Execute());
  (*lock)->Reset();
  auto read = link.Statement(sql_->ReadEpoch());
  if (!read.ok()) return read.status();
  Result<std::optional<int64_t>> stored = (*read)->ExecuteScalar();
  if (!stored.ok()) return stored.status();
  const int64_t epoch = stored->value_or(-1);
  if (sql_->one_statement_groups()) {
    auto session = link.Statement(sql_->BackendSession());
    if (!session.ok()) return session.status();
    HASTORE_RETURN_IF_ERROR((*session)->Execute());
    Result<bool> row = (*session)->Fetch();
    if (!row.ok()) return row.status();
    if (*row) {
      Result<int64_t> pid = (*session)->GetInt64(1);
      Result<int64_t> started = (*session)->GetInt64(2);
      if (pid.ok() && started.ok()) link.set_server_session({*pid, *started});
    }
    (*session)->Reset();
  }
  HASTORE_RETURN_IF_ERROR(link.db().Rollback());  // the session lock outlives the transaction
  if (epoch == static_cast<int64_t>(epoch_)) return Status::Ok();
  return TakenOver(epoch);  // ExecuteGroup, or the failed open, ends the store
}

void JdbcStore::Apply(const std::vector<CommitItem*>& group) {
  std::unique_lock lock(index_mu_);
  for (CommitItem* item : group) {
    if (item->kind == CommitItem::Kind::kConnection) {
      connections_[item->connection_id] = item->connection_name;
      connection_ids_[item->connection_name] = item->connection_id;
      continue;
    }
    for (const Transaction::Op& op : item->txn.ops()) {
      switch (op.kind) {
        case Transaction::OpKind::kCreate:
          records_[op.handle] = RecordInfo{op.connection, op.data.size()};
          record_bytes_ += op.data.size();
          break;
        case Transaction::OpKind::kUpdate: {
          RecordInfo& info = records_[op.handle];
          record_bytes_ += op.data.size() - info.bytes;
          info.bytes = op.data.size();
          break;
        }
        case Transaction::OpKind::kRemove: {
          auto it = records_.find(op.handle);
          if (it != records_.end()) {
            record_bytes_ -= it->second.bytes;
            records_.erase(it);
          }
          break;
        }
      }
    }
  }
  commits_ += group.size();
  ++batches_;
}

}  // namespace hastore::jdbcstore
