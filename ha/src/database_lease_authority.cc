// The `database` lease authority: the rules of lease_rules.h (the same ones `local` keeps),
// applied to rows of the ACTIVE table read with the database's clock, inside one transaction
// per call. How each call is made safe against other servers:
//
//   Acquire   reads the lease row locked for update (SQLite: after a write that takes the
//             database's write lock), decides with AcquireRow, and writes with a compare-and-set
//             UPDATE that must change exactly that row as it was read. A lease never acquired
//             has no row to lock: two servers may both INSERT it, the primary key lets one
//             win, and the loser rolls back and tries again, finding the winner's row.
//   RenewAll  one UPDATE of the session's live rows, then a SELECT of them, in one transaction.
//   Records   a guarded write reads the guard's lease row locked (shared) first, so nobody can
//             take the guard lease between the check and the commit.
#include "hastore/ha/database_lease_authority.h"

#include <functional>
#include <mutex>

#include "active_table_sql.h"
#include "bound_query.h"
#include "hastore/jdbcstore/database_link.h"
#include "hastore/storage/names.h"
#include "lease_rules.h"
#include "lease_tables.h"

namespace hastore::ha {

namespace {

using jdbcstore::DatabaseLink;

// Only an INSERT race of a never-acquired lease (PostgreSQL, MariaDB) takes a second attempt:
// the winner's row is then there to lock.
constexpr int kAcquireAttempts = 3;

// The rules' answers: the call reached the database and was told no.
bool IsAnswer(const Status& s) { return s.code() == StatusCode::kLocked || s.code() == StatusCode::kFenced; }

// Lease names, sessions and record keys are data in VARCHAR(255) columns: ValidateText checks
// them (UTF-8 of 1-255 bytes without NUL, the rule of connection names).
Status CheckLease(std::string_view name, const LeaseHolder& holder) {
  HASTORE_RETURN_IF_ERROR(CheckLeaseRequest(name, holder));
  HASTORE_RETURN_IF_ERROR(ValidateText("lease name", name));
  return ValidateText("session of lease " + std::string(name), holder.session);
}

// The next four columns: INSTANCE, SESSION, EPOCH, TIMEOUT.
LeaseRow ReadRow(ColumnReader& columns) {
  LeaseRow row;
  row.server = columns.Bytes();
  row.session = columns.Bytes();
  row.epoch = static_cast<uint64_t>(columns.Integer());
  row.end_ms = columns.Integer();
  return row;
}

// A lease row as read, and the database's clock at the read (when there is a row).
struct LeaseRead {
  std::optional<LeaseRow> row;
  int64_t now = 0;
};

class DatabaseLeaseAuthority final : public LeaseAuthority {
 public:
  DatabaseLeaseAuthority(const DatabaseLeaseSettings& settings, JdbcDatabase database, LeaseTableNames tables,
                         std::unique_ptr<DatabaseLink> link)
      : domain_(settings.domain),
        cluster_(settings.cluster),
        description_("database " + tables.active + " (" + std::string(DatabaseDisplayName(database)) + ")"),
        sql_(database, std::move(tables)),
        link_(std::move(link)) {}

  Result<Lease> Acquire(std::string_view name, const LeaseHolder& holder, uint64_t ttl_ms, uint64_t grace_ms) override {
    HASTORE_RETURN_IF_ERROR(CheckLease(name, holder));
    Lease lease{std::string(name), holder, 0, ttl_ms};
    const std::string doing = "acquiring lease " + lease.name;
    for (int attempt = 1;; ++attempt) {
      Status raced;
      Status s = Run(doing, true, [&] { return TryAcquire(name, holder, ttl_ms, grace_ms, lease.epoch, raced); });
      if (s.ok()) return lease;
      if (raced.ok()) return s;
      if (attempt < kAcquireAttempts) continue;
      if (raced.code() == StatusCode::kLocked) return raced;
      // Not a race after all, most likely: an INSERT that keeps failing.
      return Status(raced.code(), description_ + ": " + doing + ": " + raced.message());
    }
  }

  Result<std::vector<Lease>> RenewAll(const LeaseHolder& holder, uint64_t ttl_ms) override {
    HASTORE_RETURN_IF_ERROR(CheckLease("renewal", holder));
    std::vector<Lease> renewed;
    Status s = Run("renewing the leases of session " + holder.session, true, [&]() -> Status {
      renewed.clear();
      const auto ttl = static_cast<int64_t>(ttl_ms);
      HASTORE_RETURN_IF_ERROR(
          Execute(*link_, sql_.RenewSession(), {ttl, domain_, cluster_, holder.server, holder.session}).status());
      return Query(*link_, sql_.LiveLeasesOf(), {domain_, cluster_, holder.server, holder.session},
                   [&](ColumnReader& row) {
                     std::string name = row.Bytes();
                     const auto epoch = static_cast<uint64_t>(row.Integer());
                     renewed.push_back(Lease{std::move(name), holder, epoch, ttl_ms});
                   });
    });
    if (!s.ok()) return s;
    return renewed;
  }

  Status Release(const Lease& lease) override {
    HASTORE_RETURN_IF_ERROR(CheckLease(lease.name, lease.holder));
    const auto epoch = static_cast<int64_t>(lease.epoch);
    return Run("releasing lease " + lease.name, true, [&] {
      return Execute(*link_, sql_.ReleaseLease(),
                     {lease.name, domain_, cluster_, epoch, lease.holder.server, lease.holder.session})
          .status();
    });
  }

  Result<std::optional<LeaseView>> Find(std::string_view name) override {
    HASTORE_RETURN_IF_ERROR(ValidateText("lease name", name));
    std::optional<LeaseView> view;
    Status s = Run("reading lease " + std::string(name), false, [&]() -> Status {
      Result<LeaseRead> read = ReadLease(name, RowLock::kNone);
      if (!read.ok()) return read.status();
      view.reset();
      if (read->row) view = ViewOf(name, *read->row, read->now);
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return view;
  }

  Result<std::vector<LeaseView>> List(std::string_view prefix) override {
    std::vector<LeaseView> views;
    Status s = Run("listing leases", false, [&] {
      views.clear();
      return Query(*link_, sql_.ListLeases(), {domain_, cluster_, prefix, prefix}, [&](ColumnReader& row) {
        const std::string name = row.Bytes();
        const LeaseRow lease = ReadRow(row);
        views.push_back(ViewOf(name, lease, row.Integer()));
      });
    });
    if (!s.ok()) return s;
    return views;
  }

  Status PutRecord(const Lease* guard, std::string_view key, std::string_view value) override {
    HASTORE_RETURN_IF_ERROR(ValidateText("record key", key));
    return GuardedWrite(guard, key, "writing record " + std::string(key), [&] {
      return Execute(*link_, sql_.PutRecord(), {key, domain_, cluster_, value}).status();
    });
  }

  Status EraseRecord(const Lease* guard, std::string_view key) override {
    HASTORE_RETURN_IF_ERROR(ValidateText("record key", key));
    return GuardedWrite(guard, key, "erasing record " + std::string(key), [&] {
      return Execute(*link_, sql_.EraseRecord(), {key, domain_, cluster_}).status();
    });
  }

  Result<std::optional<std::string>> GetRecord(std::string_view key) override {
    HASTORE_RETURN_IF_ERROR(ValidateText("record key", key));
    std::optional<std::string> value;
    Status s = Run("reading record " + std::string(key), false, [&] {
      value.reset();
      return Query(*link_, sql_.GetRecord(), {key, domain_, cluster_}, [&](ColumnReader& row) { value = row.Bytes(); });
    });
    if (!s.ok()) return s;
    return value;
  }

  Result<std::vector<ClusterRecord>> ListRecords(std::string_view prefix) override {
    std::vector<ClusterRecord> records;
    Status s = Run("listing records", false, [&] {
      records.clear();
      return Query(*link_, sql_.ListRecords(), {domain_, cluster_, prefix, prefix}, [&](ColumnReader& row) {
        std::string key = row.Bytes();
        records.push_back(ClusterRecord{std::move(key), row.Bytes()});
      });
    });
    if (!s.ok()) return s;
    return records;
  }

  Result<int64_t> NowMs() override {
    Result<int64_t> now = Status::IOError("not read");
    Status s = Run("reading the database's clock", false, [&] {
      now = QueryInteger(*link_, sql_.Now());
      return now.status();
    });
    if (!s.ok()) return s;
    return now;
  }

  std::string Describe() const override { return description_; }

 private:
  // One database transaction under mu_: connects if need be, runs `work` (which must reset
  // its outputs: it may run twice), commits if `writes` and it succeeded, else rolls back.
  // Errors other than the rules' answers are prefixed with the table and what was being done.
  Status Run(std::string_view doing, bool writes, const std::function<Status()>& work) {
    std::lock_guard lock(mu_);
    for (int attempt = 1;; ++attempt) {
      const bool was_connected = link_->connected();
      Status s = Attempt(writes, work);
      if (s.ok() || IsAnswer(s)) return s;
      link_->Drop();  // the error may have broken the connection: the next use makes a new one
      // A connection made before this call may have died since (the server restarted): one
      // more try on a new one. Every call is idempotent for its session (an Acquire repeated
      // after its commit was lost finds its own live lease and renews it, epoch unchanged).
      if (!was_connected || attempt == 2) {
        return Status(s.code(), description_ + ": " + std::string(doing) + ": " + s.message());
      }
    }
  }

  // A failed commit is an outcome unknown: the caller gets kIOError, as the contract says.
  Status Attempt(bool writes, const std::function<Status()>& work) {
    HASTORE_RETURN_IF_ERROR(link_->Ensure());
    Status s = work();
    if (s.ok() && writes) return link_->db().Commit();
    // A read ends here too, so no snapshot or SQLite read lock outlives the call.
    if (!link_->db().Rollback().ok()) link_->Drop();
    return s;
  }

  // The lease row of `name`, locked as asked until the transaction ends. A lock on a row that
  // is to be written takes SQLite's write lock first (active_table_sql.h).
  Result<LeaseRead> ReadLease(std::string_view name, RowLock lock) {
    const std::string& lock_first = sql_.LockForWriteFirst();
    if (lock != RowLock::kNone && !lock_first.empty()) {
      HASTORE_RETURN_IF_ERROR(Execute(*link_, lock_first, {name, domain_, cluster_}).status());
    }
    LeaseRead read;
    HASTORE_RETURN_IF_ERROR(Query(*link_, sql_.ReadLease(lock), {name, domain_, cluster_}, [&](ColumnReader& row) {
      read.row = ReadRow(row);
      read.now = row.Integer();
    }));
    return read;
  }

  // One attempt of Acquire, inside its transaction. When another server changed or inserted
  // the row first, `raced` says how and the answer is kLocked, rolled back: the attempt may be
  // repeated, and finds that server's row.
  Status TryAcquire(std::string_view name, const LeaseHolder& holder, uint64_t ttl_ms, uint64_t grace_ms,
                    uint64_t& epoch, Status& raced) {
    Result<LeaseRead> read = ReadLease(name, RowLock::kExclusive);
    if (!read.ok()) return read.status();
    if (!read->row) {
      Result<int64_t> now = QueryInteger(*link_, sql_.Now());
      if (!now.ok()) return now.status();
      read->now = *now;
    }
    Result<LeaseRow> next = AcquireRow(name, read->row, holder, ttl_ms, grace_ms, read->now);
    if (!next.ok()) return next.status();
    const auto next_epoch = static_cast<int64_t>(next->epoch);
    if (!read->row) {
      Status inserted = Execute(*link_, sql_.InsertLease(),
                                {name, holder.server, holder.session, domain_, cluster_, next->end_ms, next_epoch})
                            .status();
      if (!inserted.ok()) {  // most likely the primary key: another server inserted it first
        raced = inserted;
        return Status::Locked("lease " + std::string(name) + " was being acquired by another server");
      }
    } else {
      const LeaseRow& was = *read->row;
      Result<jdbcstore::OdbcStatement*> update =
          Execute(*link_, sql_.UpdateLease(),
                  {holder.server, holder.session, next_epoch, next->end_ms, name, domain_, cluster_,
                   static_cast<int64_t>(was.epoch), was.server, was.session, was.end_ms});
      if (!update.ok()) return update.status();
      Result<int64_t> changed = (*update)->RowCount();
      if (!changed.ok()) return changed.status();
      if (*changed != 1) {
        raced = Status::Locked("lease " + std::string(name) + " changed while it was being acquired");
        return raced;
      }
    }
    epoch = next->epoch;
    return Status::Ok();
  }

  // Runs `write` in a transaction that, with a guard, first checks that the guard lease is
  // still held by its session at its epoch, and keeps its row locked until the commit.
  Status GuardedWrite(const Lease* guard, std::string_view key, std::string_view doing,
                      const std::function<Status()>& write) {
    if (guard) HASTORE_RETURN_IF_ERROR(CheckLease(guard->name, guard->holder));
    return Run(doing, true, [&]() -> Status {
      if (guard) {
        Result<LeaseRead> read = ReadLease(guard->name, RowLock::kShared);
        if (!read.ok()) return read.status();
        HASTORE_RETURN_IF_ERROR(CheckGuard(*guard, read->row, read->now, key));
      }
      return write();
    });
  }

  const std::string domain_;
  const std::string cluster_;
  const std::string description_;
  const ActiveTableSql sql_;
  std::mutex mu_;
  const std::unique_ptr<DatabaseLink> link_;  // used under mu_ only
};

}  // namespace

Result<std::unique_ptr<LeaseAuthority>> OpenDatabaseLeaseAuthority(const DatabaseLeaseSettings& settings) {
  if (settings.connection.empty()) return Status::InvalidArgument("database leasing needs an ODBC connection string");
  HASTORE_RETURN_IF_ERROR(ValidateName("domain name", settings.domain));
  HASTORE_RETURN_IF_ERROR(ValidateName("cluster name", settings.cluster));
  Result<LeaseTableNames> tables = MakeLeaseTableNames(settings.table);
  if (!tables.ok()) return tables.status();
  JdbcStoreSettings connection;
  connection.connection = settings.connection;
  connection.reconnect_retry_period_ms = settings.reconnect_retry_period_ms;
  connection.reconnect_retry_interval_ms = settings.reconnect_retry_interval_ms;
  auto link = std::make_unique<DatabaseLink>(connection);
  Status connected = link->Ensure();
  Result<JdbcDatabase> database =
      connected.ok() ? jdbcstore::ResolveDatabase(settings.database, link->db()) : connected;
  if (!database.ok()) {
    return Status(database.status().code(), "lease table " + settings.table + ": " + database.status().message());
  }
  HASTORE_RETURN_IF_ERROR(EnsureLeaseTables(link->db(), *database, *tables, settings.create_table));
  return std::unique_ptr<LeaseAuthority>(
      new DatabaseLeaseAuthority(settings, *database, std::move(tables).value(), std::move(link)));
}

}  // namespace hastore::ha
