// One ODBC connection that comes back after the database went away: it reconnects on demand,
// every `interval` for at most `period` (Reconnect Retry Period / Interval), and keeps the
// statements prepared on the current connection.
//
// Thread safety: one thread at a time.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include "hastore/storage/config.h"
#include "hastore/storage/status.h"
#include "hastore/jdbcstore/odbc.h"

namespace hastore::jdbcstore {

// jdbc.database, or for "auto" the database the driver names ("PostgreSQL", "SQLite");
// kNotSupported for another. The JDBC store and database leasing (ha/) choose their SQL by it.
Result<JdbcDatabase> ResolveDatabase(JdbcDatabase configured, OdbcConnection& db);

class DatabaseLink {
 public:
  // To settings.EffectiveConnection(), with its reconnect period and interval.
  explicit DatabaseLink(const JdbcStoreSettings& settings);
  ~DatabaseLink();
  DatabaseLink(const DatabaseLink&) = delete;
  DatabaseLink& operator=(const DatabaseLink&) = delete;

  // Runs on every new connection before it is used; its error drops the connection and is
  // returned by Ensure (a fence that finds another owner's epoch, say).
  void set_on_connect(std::function<Status(DatabaseLink&)> on_connect) { on_connect_ = std::move(on_connect); }

  // Connected, after reconnecting if the last connection was dropped; the error says how long
  // it tried and why the last attempt failed.
  Status Ensure();
  bool connected() const { return db_ != nullptr; }
  OdbcConnection& db() { return *db_; }
  // The statement for `sql`, prepared once per connection and reset (no result, no params).
  Result<OdbcStatement*> Statement(const std::string& sql);
  // Forgets the connection (after an error that may have broken it); Ensure makes a new one.
  void Drop();
  // What on_connect learned of the current connection's session on the server, so that a later
  // connection can ask whether it still runs (PostgreSQL: the backend's process id, and when it
  // started, in µs since 1970, since a restarted server hands the same ids out again); ids 0
  // when unknown or not connected.
  struct ServerSession {
    int64_t id = 0;
    int64_t started = 0;
  };
  void set_server_session(ServerSession session) { server_session_ = session; }
  ServerSession server_session() const { return server_session_; }
  // Any thread may read it.
  uint64_t reconnects() const { return reconnects_.load(std::memory_order_relaxed); }

 private:
  const std::string connection_string_;
  const std::chrono::milliseconds period_, interval_;
  std::function<Status(DatabaseLink&)> on_connect_;
  std::unique_ptr<OdbcConnection> db_;
  // Destroyed before db_, which they belong to.
  std::unordered_map<std::string, std::unique_ptr<OdbcStatement>> statements_;
  bool ever_connected_ = false;
  ServerSession server_session_;
  std::atomic<uint64_t> reconnects_{0};
};

}  // namespace hastore::jdbcstore
