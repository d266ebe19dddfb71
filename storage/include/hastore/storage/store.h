// The record API every kind of store implements (DESIGN §3).
//
// An instance holds connections (named groups of records); a record is an opaque byte string
// named by a 64-bit handle the store assigns at create. A Transaction batches creates, updates
// and removes over any connections of one instance and commits atomically.
//
// Thread safety: a Store is thread-safe; any number of threads may build and commit
// transactions, read and scan at once. A Transaction belongs to the thread building it.
// Errors are values; nothing here throws.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <future>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hastore/storage/status.h"

namespace hastore {

using Handle = uint64_t;

// A connection of an instance. Cheap to copy; valid for the life of the store that made it.
struct Connection {
  uint32_t id = 0;
  std::string name;
};

// Ownership of a writable open (DESIGN §3): the epoch of a lease, or 0 for single-server mode,
// where the store takes its local exclusive lock and uses the stored epoch plus one. Under a
// lease epoch a file store takes the lock when it is free but is not stopped by a held one:
// the holder has an older epoch (a paused server must not block a takeover) and the fence file
// stops it.
struct Ownership {
  uint64_t epoch = 0;
  std::string holder;  // who opens (server name, pid): shown to a refused second opener
};

class Store;

class Transaction {
 public:
  enum class OpKind : uint8_t { kCreate, kUpdate, kRemove };
  struct Op {
    OpKind kind;
    Handle handle;
    uint32_t connection;  // kCreate only
    std::string data;     // kCreate and kUpdate
  };

  Transaction() = default;
  Transaction(Transaction&&) noexcept = default;
  Transaction& operator=(Transaction&&) noexcept = default;

  // Adds a record to connection; its handle is final once the commit succeeds.
  Result<Handle> Create(const Connection& connection, std::string_view data);
  // Adds a record under a handle the caller chooses, for copying a store with its handles
  // (`hastore copy`). The handle must not be live; handles the store assigns afterwards are
  // above it. Meant for a store nobody else is writing.
  Status Restore(const Connection& connection, Handle handle, std::string_view data);
  // Replaces the bytes of an existing record.
  Status Update(Handle handle, std::string_view data);
  Status Remove(Handle handle);

  const std::vector<Op>& ops() const { return ops_; }
  bool empty() const { return ops_.empty(); }
  // Bytes of record data in the transaction.
  uint64_t data_bytes() const { return data_bytes_; }

 private:
  friend class Store;
  explicit Transaction(Store* store) : store_(store) {}
  Status CheckRecordSize(size_t size) const;
  // What Create and Restore check: a store, a connection opened on it, a record within size.
  Status CheckCreate(const Connection& connection, size_t size) const;
  void AddCreate(const Connection& connection, Handle handle, std::string_view data);
  Store* store_ = nullptr;
  std::vector<Op> ops_;
  uint64_t data_bytes_ = 0;
};

struct StoreStats {
  std::string kind;          // "file"
  std::string state;         // "open", "failed", "fenced", "closed"
  uint64_t epoch = 0;
  uint64_t connections = 0;
  uint64_t records = 0;      // live records
  uint64_t record_bytes = 0; // bytes of live record data
  uint64_t commits = 0;      // transactions committed since open
  uint64_t batches = 0;      // physical group-commit writes since open
  // Kind-specific figures, in display order ("engine" = "io_uring", "segments" = "3", ...).
  std::vector<std::pair<std::string, std::string>> details;
};

using CommitCallback = std::function<void(Status)>;
// Called for each record in handle order; return false to stop.
using ScanFn = std::function<bool(Handle handle, std::string_view data)>;

class Store {
 public:
  virtual ~Store() = default;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  virtual const std::string& instance() const = 0;

  // Opens a connection by name (any UTF-8 of 1–255 bytes), defining it durably if it is new.
  virtual Result<Connection> OpenConnection(std::string_view name) = 0;
  virtual std::vector<Connection> Connections() const = 0;

  Transaction Begin() { return Transaction(this); }
  // Returns once the transaction is durable (per the sync policy), or with the error that
  // prevented it, whose class (status.h) is the truth on every kind: not_applied() (invalid
  // input, a closed, failed or fenced instance refusing it before writing anything, kNotApplied)
  // means nothing of it is stored or ever will be; outcome_unknown() (kFailed: its write or sync
  // failed; kFenced: a newer owner took over after it was written; kOutcomeUnknown: the answer
  // was lost) means recovery decides. After an unknown outcome, close and reopen.
  virtual Status Commit(Transaction txn) = 0;
  // The same, without blocking: `done` runs on a store thread once the outcome is known.
  virtual void CommitAsync(Transaction txn, CommitCallback done) = 0;
  std::future<Status> CommitFuture(Transaction txn);

  virtual Result<std::string> Read(Handle handle) const = 0;
  virtual Status Scan(const Connection& connection, const ScanFn& fn) const = 0;

  virtual StoreStats Stats() const = 0;
  // OK while usable; otherwise the failed, fenced or closed status.
  virtual Status Health() const = 0;
  // Waits for commits in flight, then releases files and locks. Idempotent.
  virtual Status Close() = 0;

 protected:
  friend class Transaction;
  friend class GuardedStore;  // guarded_store.h: passes these on to the store it guards
  Store() = default;
  // Used by Transaction to assign handles and to check them early.
  virtual Handle NewHandle() = 0;
  // Makes sure NewHandle never returns `handle` (for Restore).
  virtual void ReserveHandle(Handle handle) = 0;
  // counter = max(counter, value), atomically: for a next-handle counter.
  static void RaiseTo(std::atomic<Handle>& counter, Handle value) {
    Handle now = counter.load();
    while (now < value && !counter.compare_exchange_weak(now, value)) {
    }
  }
  virtual bool Contains(Handle handle) const = 0;
  virtual uint64_t MaxRecordSize() const = 0;
  // What the limit is called in errors (the key that sets it).
  virtual std::string_view RecordLimitName() const { return "max_record_size"; }
  virtual bool KnowsConnection(uint32_t id) const = 0;
};

}  // namespace hastore
