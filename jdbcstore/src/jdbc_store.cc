// Opening a JDBC store, reads, and what the store says about itself. Commits are in
// group_commit.cc.
#include "jdbc_store_impl.h"

#include <unistd.h>

#include <algorithm>
#include <thread>

#include "hastore/jdbcstore/ddl.h"
#include "hastore/storage/checksum.h"
#include "hastore/storage/io.h"
#include "hastore/storage/names.h"
#include "hastore/jdbcstore/sql_identifier.h"
#include "embedded_database.h"
#include "table_layout.h"
#include "table_schema.h"
#include "owner_claim.h"

namespace hastore::jdbcstore {

namespace {

Result<JdbcDatabase> DetectDatabase(std::string_view product) {
  if (product.find("SQLite") != std::string_view::npos) return JdbcDatabase::kSqlite;
  if (product.find("PostgreSQL") != std::string_view::npos) return JdbcDatabase::kPostgresql;
  if (product.find("MySQL") != std::string_view::npos || product.find("MariaDB") != std::string_view::npos) {
    return JdbcDatabase::kMariadb;
  }
  return Status::NotSupported("the database '" + std::string(product) +
                              "' is not one hastore knows; set jdbc.database to sqlite, postgresql or mariadb");
}

Result<std::string> ReadDdlFile(const std::string& path) {
  Result<std::string> text = ReadTextFile(path);
  if (!text.ok()) return Status::NotFound("cannot read jdbc.create_table_ddl_file " + path);
  return text;
}

std::string DescribeHolder(const std::string& holder) {
  char host[256] = {0};
  ::gethostname(host, sizeof host - 1);
  return (holder.empty() ? std::string("hastore") : holder) + " (pid " + std::to_string(::getpid()) + " on " + host + ")";
}

}  // namespace

Result<JdbcDatabase> ResolveDatabase(JdbcDatabase configured, OdbcConnection& db) {
  if (configured != JdbcDatabase::kAuto) return configured;
  Result<std::string> product = db.DatabaseProductName();
  if (!product.ok()) return product.status();
  return DetectDatabase(*product);
}

JdbcStore::JdbcStore(const StoreConfig& config, const JdbcStoreOptions& options)
    : config_(config), options_(options) {}

JdbcStore::~JdbcStore() { (void)Close(); }

Status JdbcStore::Open(const Ownership& ownership) {
  HASTORE_RETURN_IF_ERROR(Validate(config_));
  if (config_.kind != StoreKind::kJdbc) return Status::InvalidArgument("store.kind is not \"jdbc\"");
  instance_ = config_.instance();
  table_ = config_.table();
  holder_ = DescribeHolder(ownership.holder);
  HASTORE_RETURN_IF_ERROR(PrepareEmbeddedDirectory());
  auto link = std::make_unique<DatabaseLink>(config_.jdbc);
  HASTORE_RETURN_IF_ERROR(link->Ensure());
  Result<JdbcDatabase> database = ResolveDatabase(config_.jdbc.database, link->db());
  if (!database.ok()) return database.status();
  database_ = *database;
  Result<std::string> quoted = QuoteTableName(table_);
  if (!quoted.ok()) return quoted.status();
  sql_ = std::make_unique<WLStoreSql>(database_, *quoted, config_.jdbc.inserts_per_batch_maximum,
                                      config_.jdbc.deletes_per_statement_maximum);
  fence_key_ = static_cast<int64_t>(Checksum("hastore-fence:" + table_));
  HASTORE_RETURN_IF_ERROR(PrepareTable(*link));
  if (!options_.read_only) HASTORE_RETURN_IF_ERROR(ClaimOwner(*link, ownership));
  HASTORE_RETURN_IF_ERROR(LoadIndex(*link));
  if (options_.read_only) {
    readers_.push_back(std::move(link));
    return Status::Ok();
  }
  worker_links_.push_back(std::move(link));
  worker_count_ = config_.jdbc.worker_count != 0 ? config_.jdbc.worker_count : database_ == JdbcDatabase::kSqlite ? 1 : 2;
  for (uint32_t i = 1; i < worker_count_; ++i) {
    worker_links_.push_back(std::make_unique<DatabaseLink>(config_.jdbc));
  }
  if (sql_->fence_by_session()) {
    for (auto& l : worker_links_) l->set_on_connect([this](DatabaseLink& fresh) { return FenceSession(fresh); });
    HASTORE_RETURN_IF_ERROR(FenceSession(*worker_links_.front()));  // connected already, by the open
  }
  link_busy_.assign(worker_links_.size(), false);
  worker_cv_ = std::vector<std::condition_variable>(worker_links_.size());
  for (size_t w = 0; w < worker_links_.size(); ++w) workers_.emplace_back([this, w] { WorkerLoop(w); });
  return Status::Ok();
}

Status JdbcStore::PrepareEmbeddedDirectory() const {
  if (!config_.jdbc.connection.empty()) return Status::Ok();  // a database of its own
  const std::string& dir = config_.jdbc.directory;
  if (options_.read_only) return CheckEmbeddedDatabaseExists(config_.jdbc);  // a reader creates nothing
  Status made = CreateDirsDurably(*FileSystem::Default(), dir);
  if (!made.ok()) return Status::IOError("cannot make the directory " + dir + " of the embedded SQLite database: " + made.message());
  return Status::Ok();
}

Status JdbcStore::PrepareTable(DatabaseLink& link) {
  std::string ddl;  // empty for read-only opens: never create
  if (!options_.read_only) {
    Result<std::string> text = config_.jdbc.create_table_ddl_file.empty()
                                   ? ShippedDdl(ToString(database_))
                                   : ReadDdlFile(config_.jdbc.create_table_ddl_file);
    if (!text.ok()) return text.status();
    ddl = std::move(text).value();
  }
  return EnsureWLStoreTable(link.db(), table_, ddl);
}

Status JdbcStore::ClaimOwner(DatabaseLink& link, const Ownership& ownership) {
  Result<std::unique_ptr<SessionLock>> lock =
      MakeSessionLock(database_, config_.jdbc.EffectiveConnection(), table_, holder_);
  if (!lock.ok()) return lock.status();
  Result<bool> held = (*lock)->TryAcquire();
  if (!held.ok()) return held.status();
  session_lock_ = std::move(lock).value();
  session_lock_held_ = *held;

  OdbcConnection& db = link.db();
  auto fail = [&](Status s) {
    (void)db.Rollback();
    return s;
  };
  if (const std::string lock_first = sql_->LockOwnerRowFirst(); !lock_first.empty()) {
    HASTORE_RETURN_IF_ERROR(db.ExecuteDirect(lock_first, "locking the owner row of table " + table_));
  }
  std::optional<StoredOwner> stored;
  OwnerRecord record{holder_, 1};
  {
    auto read = link.Statement(sql_->ReadOwner());
    if (!read.ok()) return fail(read.status());
    HASTORE_RETURN_IF_ERROR((*read)->Execute());
    Result<bool> row = (*read)->Fetch();
    if (!row.ok()) return fail(row.status());
    if (*row) {
      Result<int64_t> epoch = (*read)->GetInt64(1);
      Result<std::string> bytes = (*read)->GetBytes(2);
      if (!epoch.ok()) return fail(epoch.status());
      if (!bytes.ok()) return fail(bytes.status());
      Result<OwnerRecord> parsed = ParseOwnerRecord(*bytes, table_);
      if (!parsed.ok()) return fail(parsed.status());
      stored = StoredOwner{static_cast<uint64_t>(*epoch), parsed->holder};
      record.handle_limit = parsed->handle_limit;
    }
    (*read)->Reset();
  }
  Result<uint64_t> epoch = DecideOwnerClaim(table_, stored, ownership.epoch, !*held);
  if (!epoch.ok()) return fail(epoch.status());
  if (sql_->fence_by_session()) {
    Status fenced = TakeFenceExclusive(link);
    if (!fenced.ok()) return fail(fenced);
  }
  Result<int64_t> wrote =
      WriteOwnerRow(link, *epoch, record, stored ? std::optional<uint64_t>(stored->epoch) : std::nullopt);
  if (!wrote.ok()) return fail(wrote.status());
  HASTORE_RETURN_IF_ERROR(db.Commit());
  epoch_ = *epoch;
  handle_limit_ = record.handle_limit;
  next_handle_ = record.handle_limit;
  return Status::Ok();
}

Result<int64_t> JdbcStore::WriteOwnerRow(DatabaseLink& link, uint64_t epoch, const OwnerRecord& owner,
                                         std::optional<uint64_t> expected) const {
  auto write = link.Statement(expected ? sql_->UpdateOwner() : sql_->InsertOwner());
  if (!write.ok()) return write.status();
  (*write)->BindInt64(1, static_cast<int64_t>(epoch));
  const std::string owner_record = EncodeOwnerRecord(owner);  // bound, not copied: lives past Execute
  (*write)->BindBytes(2, owner_record);
  if (expected) (*write)->BindInt64(3, static_cast<int64_t>(*expected));
  HASTORE_RETURN_IF_ERROR((*write)->Execute());
  return (*write)->RowCount();
}

Status JdbcStore::TakeFenceExclusive(DatabaseLink& link) {
  const auto deadline = std::chrono::steady_clock::now() +
                        std::max(std::chrono::milliseconds(5000), std::chrono::milliseconds(config_.jdbc.reconnect_retry_period_ms));
  int64_t ended = 0;
  for (;;) {
    auto take = link.Statement(sql_->TryLockFenceExclusive());
    if (!take.ok()) return take.status();
    (*take)->BindInt64(1, fence_key_);
    Result<std::optional<int64_t>> got = (*take)->ExecuteScalar();
    if (!got.ok()) return got.status();
    if (*got == 1) return Status::Ok();
    if (std::chrono::steady_clock::now() > deadline) {
      return Status::Locked("table " + table_ + ": the sessions of its previous owner still hold its fence lock after " +
                            std::to_string(ended) + " were ended (pg_terminate_backend needs the same database role, or "
                            "pg_signal_backend)");
    }
    // The previous owner's workers hold it: end their sessions, which rolls back what they had
    // in flight, and try again.
    auto end = link.Statement(sql_->EndFenceHolders());
    if (!end.ok()) return end.status();
    (*end)->BindInt64(1, static_cast<int64_t>(static_cast<uint64_t>(fence_key_) >> 32));
    (*end)->BindInt64(2, static_cast<int64_t>(static_cast<uint64_t>(fence_key_) & 0xffffffffu));
    Result<std::optional<int64_t>> n = (*end)->ExecuteScalar();
    if (!n.ok()) return n.status();
    ended += n->value_or(0);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

// One pass over the table: record rows go into the index, connection rows into the map, and
// records are matched with their connections at the end (the rows come in no set order).
Status JdbcStore::LoadIndex(DatabaseLink& link) {
  auto corrupt = [&](int64_t id, const std::string& why) {
    (void)link.db().Rollback();
    return Status::Corruption("table " + table_ + ", row ID " + std::to_string(id) + ": " + why);
  };
  auto rows = link.Statement(sql_->LoadRows());
  if (!rows.ok()) return rows.status();
  HASTORE_RETURN_IF_ERROR((*rows)->Execute());
  Handle highest = 0;
  for (;;) {
    Result<bool> row = (*rows)->Fetch();
    if (!row.ok()) return row.status();
    if (!*row) break;
    Result<int64_t> id = (*rows)->GetInt64(1);
    Result<int64_t> type = (*rows)->GetInt64(2);
    Result<int64_t> handle = (*rows)->GetInt64(3);
    Result<int64_t> bytes = (*rows)->GetInt64(4);
    if (!id.ok()) return id.status();
    if (!type.ok()) return type.status();
    if (!handle.ok()) return handle.status();
    if (!bytes.ok()) return bytes.status();
    const bool connection_id = *handle >= 1 && *handle <= UINT32_MAX;
    switch (static_cast<RowType>(*type)) {
      case RowType::kOwner:
        if (*id != kOwnerRowId) return corrupt(*id, "a TYPE 0 row other than the owner row (ID 0)");
        break;
      case RowType::kConnection: {
        if (!connection_id || *id != ConnectionRowId(static_cast<uint32_t>(*handle))) {
          return corrupt(*id, "a connection row must have ID = -HANDLE and HANDLE from 1 to 4294967295, not HANDLE " +
                                  std::to_string(*handle));
        }
        Result<std::string> name = (*rows)->GetBytes(5);
        if (!name.ok()) return name.status();
        if (!ValidateConnectionName(*name).ok()) {
          return corrupt(*id, "the connection's name is not valid UTF-8 of 1-255 bytes");
        }
        connections_[static_cast<uint32_t>(*handle)] = *name;
        connection_ids_[*name] = static_cast<uint32_t>(*handle);
        break;
      }
      case RowType::kRecord:
        if (*id < 1) return corrupt(*id, "a record's ID (its handle) must be 1 or more");
        if (!connection_id) return corrupt(*id, "the record's connection " + std::to_string(*handle) + " has no connection row");
        records_[static_cast<Handle>(*id)] = RecordInfo{static_cast<uint32_t>(*handle), static_cast<uint64_t>(*bytes)};
        record_bytes_ += static_cast<uint64_t>(*bytes);
        highest = std::max<Handle>(highest, static_cast<Handle>(*id));
        break;
      default:
        return corrupt(*id, "neither the owner row (ID 0, TYPE 0), a record (TYPE 1) nor a connection (TYPE 2)");
    }
  }
  (*rows)->Reset();
  HASTORE_RETURN_IF_ERROR(link.db().Rollback());  // end the read transaction
  for (const auto& [handle, info] : records_) {
    if (!connections_.count(info.connection)) {
      return corrupt(static_cast<int64_t>(handle),
                     "the record's connection " + std::to_string(info.connection) + " has no connection row");
    }
  }
  RaiseTo(next_handle_, highest + 1);
  return Status::Ok();
}

// ---- connections ------------------------------------------------------------------------------

Result<Connection> JdbcStore::OpenConnection(std::string_view name) {
  HASTORE_RETURN_IF_ERROR(ValidateConnectionName(name));
  std::lock_guard define(define_mu_);
  {
    std::shared_lock lock(index_mu_);
    auto it = connection_ids_.find(std::string(name));
    if (it != connection_ids_.end()) return Connection{it->second, std::string(name)};
  }
  HASTORE_RETURN_IF_ERROR(StateStatus());
  if (options_.read_only) {
    return Status::NotSupported("store " + instance_ + " is open read-only; connection '" + std::string(name) +
                                "' does not exist");
  }
  uint32_t id = 1;
  {
    std::shared_lock lock(index_mu_);
    if (!connections_.empty()) id = connections_.rbegin()->first + 1;
  }
  CommitItem item;
  item.kind = CommitItem::Kind::kConnection;
  item.connection_id = id;
  item.connection_name = std::string(name);
  Status defined = SubmitAndWait(item);
  if (!defined.ok()) return defined;
  return Connection{id, std::string(name)};
}

std::vector<Connection> JdbcStore::Connections() const {
  std::shared_lock lock(index_mu_);
  std::vector<Connection> out;
  for (const auto& [id, name] : connections_) out.push_back(Connection{id, name});
  return out;
}

bool JdbcStore::KnowsConnection(uint32_t id) const {
  std::shared_lock lock(index_mu_);
  return connections_.count(id) != 0;
}

bool JdbcStore::Contains(Handle handle) const {
  std::shared_lock lock(index_mu_);
  return records_.count(handle) != 0;
}

// ---- reads ------------------------------------------------------------------------------------

Status JdbcStore::WithReader(const std::function<Status(DatabaseLink&)>& read) const {
  if (state_.load() == State::kClosed) return StateStatus();
  std::unique_ptr<DatabaseLink> link;
  {
    std::lock_guard lock(readers_mu_);
    if (!readers_.empty()) {
      link = std::move(readers_.back());
      readers_.pop_back();
    }
  }
  if (!link) {
    link = std::make_unique<DatabaseLink>(config_.jdbc);
  }
  Status s;
  for (int attempt = 0; attempt < 2; ++attempt) {
    s = read(*link);
    if (link->connected()) (void)link->db().Rollback();  // end the read transaction (and its snapshot)
    if (s.ok() || s.code() == StatusCode::kNotFound) break;
    link->Drop();  // the connection may be broken: the next attempt reconnects
  }
  std::lock_guard lock(readers_mu_);
  readers_.push_back(std::move(link));
  return s;
}

Result<std::string> JdbcStore::Read(Handle handle) const {
  if (!Contains(handle)) {
    HASTORE_RETURN_IF_ERROR(StateStatus());
    return Status::NotFound("no record with handle " + std::to_string(handle) + " in table " + table_);
  }
  std::string out;
  Status s = WithReader([&](DatabaseLink& link) -> Status {
    auto stmt = link.Statement(sql_->ReadRecord());
    if (!stmt.ok()) return stmt.status();
    (*stmt)->BindInt64(1, static_cast<int64_t>(handle));
    HASTORE_RETURN_IF_ERROR((*stmt)->Execute());
    Result<bool> row = (*stmt)->Fetch();
    if (!row.ok()) return row.status();
    if (!*row) return Status::NotFound("no record with handle " + std::to_string(handle) + " in table " + table_);
    Result<std::string> bytes = (*stmt)->GetBytes(1);
    if (!bytes.ok()) return bytes.status();
    out = std::move(bytes).value();
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

Status JdbcStore::Scan(const Connection& connection, const ScanFn& fn) const {
  if (!KnowsConnection(connection.id)) {
    return Status::InvalidArgument("connection '" + connection.name + "' (id " + std::to_string(connection.id) +
                                   ") was not opened on instance " + instance_);
  }
  Handle resume_after = 0;  // a retry after a broken connection goes on where the scan stopped
  bool stopped = false;
  return WithReader([&](DatabaseLink& link) -> Status {
    if (stopped) return Status::Ok();
    auto stmt = link.Statement(sql_->ScanConnection());
    if (!stmt.ok()) return stmt.status();
    (*stmt)->BindInt64(1, connection.id);
    HASTORE_RETURN_IF_ERROR((*stmt)->Execute());
    for (;;) {
      Result<bool> row = (*stmt)->Fetch();
      if (!row.ok()) return row.status();
      if (!*row) break;
      Result<int64_t> id = (*stmt)->GetInt64(1);
      if (!id.ok()) return id.status();
      if (static_cast<Handle>(*id) <= resume_after) continue;
      Result<std::string> bytes = (*stmt)->GetBytes(2);
      if (!bytes.ok()) return bytes.status();
      resume_after = static_cast<Handle>(*id);
      if (!fn(resume_after, *bytes)) {
        stopped = true;
        break;
      }
    }
    (*stmt)->Reset();
    return Status::Ok();
  });
}

// ---- state ------------------------------------------------------------------------------------

StoreStats JdbcStore::Stats() const {
  StoreStats st;
  st.kind = "jdbc";
  switch (state_.load()) {
    case State::kOpen: st.state = "open"; break;
    case State::kFenced: st.state = "fenced"; break;
    case State::kClosed: st.state = "closed"; break;
  }
  st.epoch = epoch_;
  {
    std::shared_lock lock(index_mu_);
    st.connections = connections_.size();
    st.records = records_.size();
    st.record_bytes = record_bytes_;
  }
  st.commits = commits_.load();
  st.batches = batches_.load();
  st.details.emplace_back("database", std::string(ToString(database_)));
  st.details.emplace_back("table", table_);
  st.details.emplace_back("workers", std::to_string(worker_count_));
  if (!options_.read_only) {
    // "not held" after a takeover from a live owner or a database restart, until the first
    // worker takes the lock again (within a second of it being free).
    st.details.emplace_back("session_lock", session_lock_held_ ? "held" : "not held");
  }
  uint64_t reconnects = 0;
  {
    std::lock_guard lock(queue_mu_);  // Close() clears the links under it
    for (const auto& l : worker_links_) reconnects += l->reconnects();
  }
  st.details.emplace_back("reconnects", std::to_string(reconnects));
  st.details.emplace_back("outcome_lookups", std::to_string(outcome_lookups_.load()));
  return st;
}

Status JdbcStore::StateStatus() const {
  switch (state_.load()) {
    case State::kOpen: return Status::Ok();
    case State::kClosed: return Status::Closed("store " + instance_ + " (table " + table_ + ") is closed");
    case State::kFenced: break;
  }
  std::lock_guard lock(failure_mu_);
  return failure_;
}

Status JdbcStore::Health() const { return StateStatus(); }

void JdbcStore::Fence(Status why) {
  std::lock_guard lock(failure_mu_);
  if (state_.load() != State::kOpen) return;
  failure_ = std::move(why);
  state_ = State::kFenced;
}

Status JdbcStore::Close() {
  std::lock_guard closing(close_mu_);  // a second Close waits for the first
  {
    std::lock_guard lock(queue_mu_);
    if (stopping_ && workers_.empty()) {
      state_ = State::kClosed;
      return Status::Ok();
    }
    stopping_ = true;
    for (std::condition_variable& cv : worker_cv_) cv.notify_all();
  }
  for (std::thread& t : workers_) t.join();
  workers_.clear();
  {
    // Committing threads may still run a group on a worker's connection.
    std::unique_lock lock(queue_mu_);
    links_free_cv_.wait(lock, [&] { return std::find(link_busy_.begin(), link_busy_.end(), true) == link_busy_.end(); });
  }
  {
    std::lock_guard lock(failure_mu_);
    state_ = State::kClosed;
  }
  {
    std::lock_guard lock(queue_mu_);
    if (sql_ != nullptr && sql_->fence_by_session()) {  // null when the open failed before it knew the database
      for (const auto& link : worker_links_) UnfenceSession(*link);
    }
    worker_links_.clear();
  }
  {
    std::lock_guard lock(readers_mu_);
    readers_.clear();
  }
  session_lock_.reset();
  return Status::Ok();
}

}  // namespace hastore::jdbcstore

namespace hastore {

Result<std::unique_ptr<Store>> OpenJdbcStore(const StoreConfig& config, const Ownership& ownership,
                                             const JdbcStoreOptions& options) {
  auto store = std::make_unique<jdbcstore::JdbcStore>(config, options);
  HASTORE_RETURN_IF_ERROR(store->Open(ownership));
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace hastore
