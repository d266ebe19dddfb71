#include "hastore/jdbcstore/database_link.h"

#include <thread>

namespace hastore::jdbcstore {

DatabaseLink::DatabaseLink(const JdbcStoreSettings& settings)
    : connection_string_(settings.EffectiveConnection()),
      period_(settings.reconnect_retry_period_ms),
      interval_(settings.reconnect_retry_interval_ms) {}

DatabaseLink::~DatabaseLink() { Drop(); }

Status DatabaseLink::Ensure() {
  if (db_) return Status::Ok();
  const auto start = std::chrono::steady_clock::now();
  int attempts = 0;
  for (;;) {
    ++attempts;
    auto db = OdbcConnection::Connect(connection_string_);
    if (db.ok()) {
      db_ = std::move(db).value();
      if (ever_connected_) reconnects_.fetch_add(1, std::memory_order_relaxed);
      ever_connected_ = true;
      if (!on_connect_) return Status::Ok();
      Status ready = on_connect_(*this);
      if (!ready.ok()) Drop();
      return ready;
    }
    const auto spent = std::chrono::steady_clock::now() - start;
    if (spent + interval_ > period_) {
      if (attempts == 1) return db.status();
      return Status(db.status().code(), "database unreachable after " + std::to_string(attempts) + " attempts in " +
                                            std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(spent).count()) +
                                            " ms: " + db.status().message());
    }
    std::this_thread::sleep_for(interval_);
  }
}

Result<OdbcStatement*> DatabaseLink::Statement(const std::string& sql) {
  HASTORE_RETURN_IF_ERROR(Ensure());
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    auto prepared = db_->Prepare(sql);
    if (!prepared.ok()) return prepared.status();
    it = statements_.emplace(sql, std::move(prepared).value()).first;
  }
  it->second->Reset();
  return it->second.get();
}

void DatabaseLink::Drop() {
  statements_.clear();
  db_.reset();
  server_session_ = {};
}

}  // namespace hastore::jdbcstore
