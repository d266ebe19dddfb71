// The `local` lease authority: leases and cluster records in an LMDB environment.
//
// Databases of the environment:
//   leases   name -> LeaseRow (epoch, end by the host's monotonic clock in ms, server, session)
//   records  key  -> value
//   meta     "boot_id" -> the boot the lease ends belong to
#include "hastore/ha/local_lease_authority.h"

#include <lmdb.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <map>
#include <mutex>

#include "hastore/storage/config.h"
#include "hastore/storage/io.h"
#include "lease_rules.h"

namespace hastore::ha {

namespace {

std::string_view View(const MDB_val& v) { return {static_cast<const char*>(v.mv_data), v.mv_size}; }
MDB_val Val(std::string_view s) { return MDB_val{s.size(), const_cast<char*>(s.data())}; }

// One environment per directory per process: LMDB's locks are per process, so a second
// mdb_env_open of the same files in one process would break them when either closed.
class Environment {
 public:
  static Result<std::shared_ptr<Environment>> Open(const std::string& directory) {
    static std::mutex mu;
    static std::map<std::string, std::weak_ptr<Environment>> open;
    std::lock_guard lock(mu);
    HASTORE_RETURN_IF_ERROR(CreateDirsDurably(*FileSystem::Default(), directory));
    char resolved[PATH_MAX];
    if (::realpath(directory.c_str(), resolved) == nullptr) return Status::FromErrno("resolving " + directory, errno);
    std::weak_ptr<Environment>& slot = open[resolved];
    if (std::shared_ptr<Environment> env = slot.lock()) return env;
    auto env = std::shared_ptr<Environment>(new Environment(resolved));
    HASTORE_RETURN_IF_ERROR(env->Init());
    slot = env;
    return env;
  }
  ~Environment() {
    if (env_ != nullptr) mdb_env_close(env_);
  }

  MDB_env* env() const { return env_; }
  MDB_dbi leases() const { return leases_; }
  MDB_dbi records() const { return records_; }
  MDB_dbi meta() const { return meta_; }
  const std::string& path() const { return path_; }

  Status Check(int rc, std::string_view doing) const {
    if (rc == 0) return Status::Ok();
    return Status::IOError("lease environment " + path_ + ": " + std::string(doing) + ": " + mdb_strerror(rc));
  }

 private:
  explicit Environment(std::string path) : path_(std::move(path)) {}

  Status Init() {
    HASTORE_RETURN_IF_ERROR(Check(mdb_env_create(&env_), "creating"));
    HASTORE_RETURN_IF_ERROR(Check(mdb_env_set_maxdbs(env_, 3), "setting the number of databases"));
    HASTORE_RETURN_IF_ERROR(Check(mdb_env_set_mapsize(env_, size_t{1} << 30), "setting the map size"));
    // MDB_NOTLS: a read transaction is not tied to its thread, so any thread may call us.
    HASTORE_RETURN_IF_ERROR(Check(mdb_env_open(env_, path_.c_str(), MDB_NOTLS, 0644), "opening"));
    MDB_txn* txn = nullptr;
    HASTORE_RETURN_IF_ERROR(Check(mdb_txn_begin(env_, nullptr, 0, &txn), "beginning a transaction"));
    int rc = mdb_dbi_open(txn, "leases", MDB_CREATE, &leases_);
    if (rc == 0) rc = mdb_dbi_open(txn, "records", MDB_CREATE, &records_);
    if (rc == 0) rc = mdb_dbi_open(txn, "meta", MDB_CREATE, &meta_);
    if (rc != 0) {
      mdb_txn_abort(txn);
      return Check(rc, "opening its databases");
    }
    return Check(mdb_txn_commit(txn), "creating its databases");
  }

  const std::string path_;
  MDB_env* env_ = nullptr;
  MDB_dbi leases_ = 0, records_ = 0, meta_ = 0;
};

// A transaction that aborts unless committed.
class Txn {
 public:
  Txn(const Environment& env, bool write) : env_(env) {
    status_ = env.Check(mdb_txn_begin(env.env(), nullptr, write ? 0 : MDB_RDONLY, &txn_), "beginning a transaction");
  }
  ~Txn() {
    if (txn_ != nullptr) mdb_txn_abort(txn_);
  }
  const Status& status() const { return status_; }

  Result<std::optional<std::string>> Get(MDB_dbi dbi, std::string_view key) {
    MDB_val k = Val(key), v;
    const int rc = mdb_get(txn_, dbi, &k, &v);
    if (rc == MDB_NOTFOUND) return std::optional<std::string>();
    HASTORE_RETURN_IF_ERROR(env_.Check(rc, "reading " + std::string(key)));
    return std::optional<std::string>(std::string(View(v)));
  }
  Status Put(MDB_dbi dbi, std::string_view key, std::string_view value) {
    MDB_val k = Val(key), v = Val(value);
    return env_.Check(mdb_put(txn_, dbi, &k, &v, 0), "writing " + std::string(key));
  }
  Status Erase(MDB_dbi dbi, std::string_view key) {
    MDB_val k = Val(key);
    const int rc = mdb_del(txn_, dbi, &k, nullptr);
    return rc == MDB_NOTFOUND ? Status::Ok() : env_.Check(rc, "erasing " + std::string(key));
  }
  // Calls fn(key, value) for every key starting with `prefix`, in key order.
  template <class Fn>
  Status Scan(MDB_dbi dbi, std::string_view prefix, Fn&& fn) {
    MDB_cursor* cursor = nullptr;
    HASTORE_RETURN_IF_ERROR(env_.Check(mdb_cursor_open(txn_, dbi, &cursor), "opening a cursor"));
    MDB_val k = Val(prefix), v;
    int rc = prefix.empty() ? mdb_cursor_get(cursor, &k, &v, MDB_FIRST) : mdb_cursor_get(cursor, &k, &v, MDB_SET_RANGE);
    Status s;
    for (; rc == 0 && View(k).substr(0, prefix.size()) == prefix; rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT)) {
      s = fn(View(k), View(v));
      if (!s.ok()) break;
    }
    mdb_cursor_close(cursor);
    if (!s.ok()) return s;
    return rc == MDB_NOTFOUND || rc == 0 ? Status::Ok() : env_.Check(rc, "scanning");
  }
  Status Commit() {
    const int rc = mdb_txn_commit(txn_);
    txn_ = nullptr;
    return env_.Check(rc, "committing");
  }

 private:
  const Environment& env_;
  MDB_txn* txn_ = nullptr;
  Status status_;
};

// An empty id is the same on every boot: a reboot would go unnoticed and keep leases whose
// ends belong to a clock that is gone. Refused.
Result<std::string> ReadBootId() {
  constexpr const char* kBootIdFile = "/proc/sys/kernel/random/boot_id";
  Result<std::string> text = ReadTextFile(kBootIdFile);
  if (!text.ok()) return text.status();
  while (!text->empty() && (text->back() == '\n' || text->back() == ' ')) text->pop_back();
  if (text->empty()) return Status::IOError(std::string(kBootIdFile) + " is empty: no boot id to judge leases by");
  return *text;
}

class LocalLeaseAuthority final : public LeaseAuthority {
 public:
  LocalLeaseAuthority(std::shared_ptr<Environment> env, Clock* clock) : env_(std::move(env)), clock_(clock) {}

  // A new boot: every lease's end belongs to a clock that is gone, so each is released.
  Status AdoptBoot(const std::string& boot_id) {
    Txn txn(*env_, /*write=*/true);
    HASTORE_RETURN_IF_ERROR(txn.status());
    Result<std::optional<std::string>> stored = txn.Get(env_->meta(), "boot_id");
    if (!stored.ok()) return stored.status();
    if (*stored == boot_id) return Status::Ok();
    std::vector<std::pair<std::string, LeaseRow>> released;
    HASTORE_RETURN_IF_ERROR(txn.Scan(env_->leases(), "", [&](std::string_view name, std::string_view value) {
      Result<LeaseRow> row = DecodeLeaseRow(value, name);
      if (!row.ok()) return row.status();
      released.emplace_back(std::string(name), ReleasedRow(*row));
      return Status::Ok();
    }));
    for (const auto& [name, row] : released) HASTORE_RETURN_IF_ERROR(txn.Put(env_->leases(), name, EncodeLeaseRow(row)));
    HASTORE_RETURN_IF_ERROR(txn.Put(env_->meta(), "boot_id", boot_id));
    return txn.Commit();
  }

  Result<Lease> Acquire(std::string_view name, const LeaseHolder& holder, uint64_t ttl_ms, uint64_t grace_ms) override {
    HASTORE_RETURN_IF_ERROR(CheckLeaseRequest(name, holder));
    Txn txn(*env_, true);
    HASTORE_RETURN_IF_ERROR(txn.status());
    Result<std::optional<LeaseRow>> row = ReadRow(txn, name);
    if (!row.ok()) return row.status();
    Result<LeaseRow> next = AcquireRow(name, *row, holder, ttl_ms, grace_ms, Now());
    if (!next.ok()) return next.status();
    HASTORE_RETURN_IF_ERROR(txn.Put(env_->leases(), name, EncodeLeaseRow(*next)));
    HASTORE_RETURN_IF_ERROR(txn.Commit());
    return Lease{std::string(name), holder, next->epoch, ttl_ms};
  }

  Result<std::vector<Lease>> RenewAll(const LeaseHolder& holder, uint64_t ttl_ms) override {
    Txn txn(*env_, true);
    HASTORE_RETURN_IF_ERROR(txn.status());
    const int64_t now = Now();
    std::vector<std::pair<std::string, LeaseRow>> renewed;
    HASTORE_RETURN_IF_ERROR(txn.Scan(env_->leases(), "", [&](std::string_view name, std::string_view value) {
      Result<LeaseRow> row = DecodeLeaseRow(value, name);
      if (!row.ok()) return row.status();
      if (row->session == holder.session && row->server == holder.server && row->end_ms > now) {
        row->end_ms = now + static_cast<int64_t>(ttl_ms);
        renewed.emplace_back(std::string(name), *row);
      }
      return Status::Ok();
    }));
    std::vector<Lease> out;
    for (const auto& [name, row] : renewed) {
      HASTORE_RETURN_IF_ERROR(txn.Put(env_->leases(), name, EncodeLeaseRow(row)));
      out.push_back(Lease{name, holder, row.epoch, ttl_ms});
    }
    HASTORE_RETURN_IF_ERROR(txn.Commit());
    return out;
  }

  Status Release(const Lease& lease) override {
    Txn txn(*env_, true);
    HASTORE_RETURN_IF_ERROR(txn.status());
    Result<std::optional<LeaseRow>> row = ReadRow(txn, lease.name);
    if (!row.ok()) return row.status();
    if (!*row || !HeldBy(**row, lease)) return Status::Ok();
    HASTORE_RETURN_IF_ERROR(txn.Put(env_->leases(), lease.name, EncodeLeaseRow(ReleasedRow(**row))));
    return txn.Commit();
  }

  Result<std::optional<LeaseView>> Find(std::string_view name) override {
    Txn txn(*env_, false);
    HASTORE_RETURN_IF_ERROR(txn.status());
    Result<std::optional<LeaseRow>> row = ReadRow(txn, name);
    if (!row.ok()) return row.status();
    if (!*row) return std::optional<LeaseView>();
    return std::optional<LeaseView>(ViewOf(name, **row, Now()));
  }

  Result<std::vector<LeaseView>> List(std::string_view prefix) override {
    Txn txn(*env_, false);
    HASTORE_RETURN_IF_ERROR(txn.status());
    const int64_t now = Now();
    std::vector<LeaseView> out;
    HASTORE_RETURN_IF_ERROR(txn.Scan(env_->leases(), prefix, [&](std::string_view name, std::string_view value) {
      Result<LeaseRow> row = DecodeLeaseRow(value, name);
      if (!row.ok()) return row.status();
      out.push_back(ViewOf(name, *row, now));
      return Status::Ok();
    }));
    return out;
  }

  Status PutRecord(const Lease* guard, std::string_view key, std::string_view value) override {
    return WriteRecord(guard, key, &value);
  }
  Status EraseRecord(const Lease* guard, std::string_view key) override { return WriteRecord(guard, key, nullptr); }

  Result<std::optional<std::string>> GetRecord(std::string_view key) override {
    Txn txn(*env_, false);
    HASTORE_RETURN_IF_ERROR(txn.status());
    return txn.Get(env_->records(), key);
  }

  Result<std::vector<ClusterRecord>> ListRecords(std::string_view prefix) override {
    Txn txn(*env_, false);
    HASTORE_RETURN_IF_ERROR(txn.status());
    std::vector<ClusterRecord> out;
    HASTORE_RETURN_IF_ERROR(txn.Scan(env_->records(), prefix, [&](std::string_view key, std::string_view value) {
      out.push_back(ClusterRecord{std::string(key), std::string(value)});
      return Status::Ok();
    }));
    return out;
  }

  Result<int64_t> NowMs() override { return Now(); }
  std::string Describe() const override { return "local LMDB " + env_->path(); }

 private:
  int64_t Now() const { return static_cast<int64_t>(clock_->NowMonotonicMs()); }

  Result<std::optional<LeaseRow>> ReadRow(Txn& txn, std::string_view name) {
    Result<std::optional<std::string>> value = txn.Get(env_->leases(), name);
    if (!value.ok()) return value.status();
    if (!*value) return std::optional<LeaseRow>();
    Result<LeaseRow> row = DecodeLeaseRow(**value, name);
    if (!row.ok()) return row.status();
    return std::optional<LeaseRow>(*row);
  }

  Status WriteRecord(const Lease* guard, std::string_view key, const std::string_view* value) {
    Txn txn(*env_, true);
    HASTORE_RETURN_IF_ERROR(txn.status());
    if (guard != nullptr) {
      Result<std::optional<LeaseRow>> row = ReadRow(txn, guard->name);
      if (!row.ok()) return row.status();
      HASTORE_RETURN_IF_ERROR(CheckGuard(*guard, *row, Now(), key));
    }
    HASTORE_RETURN_IF_ERROR(value ? txn.Put(env_->records(), key, *value) : txn.Erase(env_->records(), key));
    return txn.Commit();
  }

  std::shared_ptr<Environment> env_;
  Clock* clock_;
};

}  // namespace

Result<std::unique_ptr<LeaseAuthority>> OpenLocalLeaseAuthority(const std::string& directory,
                                                                const LocalLeaseOptions& options) {
  Result<std::shared_ptr<Environment>> env = Environment::Open(directory);
  if (!env.ok()) return env.status();
  std::string boot_id = options.boot_id;
  if (boot_id.empty()) {
    Result<std::string> read = ReadBootId();
    if (!read.ok()) return read.status();
    boot_id = *read;
  }
  auto authority = std::make_unique<LocalLeaseAuthority>(*env, options.clock ? options.clock : Clock::Default());
  HASTORE_RETURN_IF_ERROR(authority->AdoptBoot(boot_id));
  return std::unique_ptr<LeaseAuthority>(std::move(authority));
}

}  // namespace hastore::ha
