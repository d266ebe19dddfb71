// The JDBC store: worker threads, each with its own database connection, merge queued commits
// into one database transaction per group (group_commit.cc); reads go through a pool of reader
// connections (jdbc_store.cc). The index in memory holds only which handles are live, their
// connection and size: record bytes stay in the table.
//
// Lock order: close_mu_ -> queue_mu_, failure_mu_ or readers_mu_; define_mu_ -> queue_mu_ ->
// index_mu_; reserve_mu_ alone.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "hastore/storage/completion.h"
#include "hastore/jdbcstore/database_link.h"
#include "hastore/jdbcstore/jdbc_store.h"
#include "session_lock.h"
#include "table_layout.h"
#include "wake_tree.h"
#include "wlstore_sql.h"

namespace hastore::jdbcstore {

struct RecordInfo {
  uint32_t connection = 0;
  uint64_t bytes = 0;
};

// One queued commit: a transaction, or the definition of a new connection.
struct CommitItem {
  enum class Kind : uint8_t { kTransaction, kConnection };
  Kind kind = Kind::kTransaction;
  Transaction txn;
  uint32_t connection_id = 0;
  std::string connection_name;
  std::vector<Handle> touches;  // handles the transaction updates or removes, sorted, unique
  CommitCallback done;          // async commits
  // Sync commits wait on `finished`, with the outcome in `result`; once awake, a committer
  // woken through a tree wakes its children there (wake_tree.h).
  Completion finished;
  Status result;
  std::shared_ptr<const WakeTree> wake_tree;
  size_t wake_index = 0;
};

class JdbcStore final : public Store {
 public:
  JdbcStore(const StoreConfig& config, const JdbcStoreOptions& options);
  ~JdbcStore() override;

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

 protected:
  Handle NewHandle() override { return next_handle_.fetch_add(1, std::memory_order_relaxed); }
  void ReserveHandle(Handle handle) override { RaiseTo(next_handle_, handle + 1); }
  bool Contains(Handle handle) const override;
  uint64_t MaxRecordSize() const override { return config_.max_record_size; }
  bool KnowsConnection(uint32_t id) const override;

 private:
  enum class State : uint8_t { kOpen, kFenced, kClosed };

  // --- open (jdbc_store.cc)
  // Embedded SQLite: a writer makes its directory; a reader finds its database or kNotFound.
  Status PrepareEmbeddedDirectory() const;
  Status PrepareTable(DatabaseLink& link);
  Status ClaimOwner(DatabaseLink& link, const Ownership& ownership);
  // Writes the owner row in the link's transaction: `epoch` and `owner`, over the row that holds
  // epoch `expected` (UpdateOwner), or as a new row without it (InsertOwner). The rows changed.
  Result<int64_t> WriteOwnerRow(DatabaseLink& link, uint64_t epoch, const OwnerRecord& owner,
                                std::optional<uint64_t> expected) const;
  Status LoadIndex(DatabaseLink& link);
  // Runs `read` on a reader connection; after a failure, once more on a fresh connection.
  Status WithReader(const std::function<Status(DatabaseLink&)>& read) const;

  // --- commits (group_commit.cc)
  // A group that a committing thread runs itself, on an idle worker's connection: synchronous
  // commits only, so that async callbacks always run on a worker.
  static constexpr size_t kNoWorker = static_cast<size_t>(-1);
  struct Lead {
    size_t worker = kNoWorker;
    std::vector<CommitItem*> group;
  };
  // Queues `item`. With `lead`, may hand back a group for the caller to run (see Lead).
  void Submit(CommitItem* item, Lead* lead);
  // Queues a synchronous commit and returns its outcome.
  Status SubmitAndWait(CommitItem& item);
  void WorkerLoop(size_t worker);
  // Runs one group on a worker's connection (marked busy by the caller) and completes it.
  void RunGroup(size_t worker, std::vector<CommitItem*> group, CommitItem* leader);
  // Under queue_mu_: the queue's head items that touch no record in flight in another group;
  // with `sync_only`, up to the first async commit; on PostgreSQL, when the head only creates,
  // the creates-only items after it up to one INSERT's worth of records.
  std::vector<CommitItem*> TakeGroup(bool sync_only);
  bool HeadIsFree() const;
  // Under queue_mu_: the item updates or removes a record of a group in flight.
  bool Conflicts(const CommitItem& item) const;
  // Items whose updates or removes meet a record that is gone fail alone, here.
  std::vector<CommitItem*> DropInvalid(std::vector<CommitItem*> group);
  Status ExecuteGroup(DatabaseLink& link, const std::vector<CommitItem*>& group, bool* commit_sent);
  Status CheckFence(DatabaseLink& link);
  // The group's removes: DELETE ... IN lists of jdbc.deletes_per_statement_maximum ids, up to
  // jdbc.deletes_per_batch_maximum of them in one call (array binding).
  Status DeleteRecords(DatabaseLink& link, const std::vector<Handle>& removes);
  // kFenced: the owner row holds `found` (-1: not known), not this store's epoch.
  Status TakenOver(int64_t found) const;
  // PostgreSQL, on each new worker connection: takes the fence lock shared, then checks the
  // epoch (FORMAT.md, "Commits").
  Status FenceSession(DatabaseLink& link);
  // At Close, before the connection ends: lets the shared fence lock go (wlstore_sql.h).
  void UnfenceSession(DatabaseLink& link);
  // The group's creates, Inserts Per Batch Maximum rows per INSERT.
  Status InsertRecords(DatabaseLink& link, std::span<const Transaction::Op* const> creates);
  // Whether a one-statement group whose answer was lost is stored, read on a fresh connection
  // from its first record: true, false (absent, and `session`, which ran it, has ended), or an
  // error (kOutcomeUnknown while that session still runs after 2 s; kFenced when taken over).
  Result<bool> OneStatementStored(DatabaseLink& link, Handle first, DatabaseLink::ServerSession session);
  // PostgreSQL, in the claim's transaction: takes the fence lock exclusively, ending the
  // sessions of a previous owner that still hold it.
  Status TakeFenceExclusive(DatabaseLink& link);
  Status ReserveHandles(DatabaseLink& link, Handle highest);
  void Apply(const std::vector<CommitItem*>& group);
  // First worker, at most once a second: takes the session lock again if it is not held.
  void RetakeSessionLock();
  void Complete(CommitItem* item, Status s);
  // Completes a committed or failed group: callbacks here, synchronous committers by a WakeTree.
  void CompleteGroup(const std::vector<CommitItem*>& group, const Status& s, CommitItem* leader);
  Status StateStatus() const;
  void Fence(Status why);

  const StoreConfig config_;
  const JdbcStoreOptions options_;
  std::string instance_;
  std::string table_;  // unquoted, as DESIGN §4 names it
  JdbcDatabase database_ = JdbcDatabase::kAuto;
  std::unique_ptr<WLStoreSql> sql_;
  uint64_t epoch_ = 0;
  int64_t fence_key_ = 0;  // PostgreSQL advisory lock key of the session fence
  std::string holder_;
  std::unique_ptr<SessionLock> session_lock_;  // after the open, used by the first worker only
  std::chrono::steady_clock::time_point session_lock_checked_;
  std::atomic<bool> session_lock_held_{false};  // as last seen, for Stats()

  // Index: shared by readers, changed by workers after their group committed.
  mutable std::shared_mutex index_mu_;
  std::unordered_map<Handle, RecordInfo> records_;
  uint64_t record_bytes_ = 0;
  std::map<uint32_t, std::string> connections_;
  std::unordered_map<std::string, uint32_t> connection_ids_;
  std::atomic<Handle> next_handle_{1};
  std::mutex define_mu_;  // serialises definitions of new connections

  std::mutex reserve_mu_;
  Handle handle_limit_ = 1;  // every handle handed out below it is reserved in the owner row

  std::mutex close_mu_;  // held through Close()

  // The commit queue.
  mutable std::mutex queue_mu_;  // mutable: Stats() reads the links under it
  std::condition_variable links_free_cv_;  // a worker's connection was given back
  std::vector<CommitItem*> queue_;
  std::unordered_map<Handle, uint32_t> in_flight_;  // touched handles of groups in flight
  bool stopping_ = false;
  uint32_t worker_count_ = 1;  // jdbc.worker_count, or its default for the database
  std::vector<std::unique_ptr<DatabaseLink>> worker_links_;
  std::vector<bool> link_busy_;  // a group runs on worker_links_[i], by its worker or a committer
  // Worker i waits on worker_cv_[i] for a group it can run on its own connection.
  std::vector<std::condition_variable> worker_cv_;
  std::vector<std::thread> workers_;

  mutable std::mutex readers_mu_;
  mutable std::vector<std::unique_ptr<DatabaseLink>> readers_;

  std::atomic<State> state_{State::kOpen};
  mutable std::mutex failure_mu_;
  Status failure_;

  std::atomic<uint64_t> commits_{0};
  std::atomic<uint64_t> batches_{0};
  std::atomic<uint64_t> outcome_lookups_{0};  // one-statement groups whose answer was lost
};

}  // namespace hastore::jdbcstore
