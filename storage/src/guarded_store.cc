#include "hastore/storage/guarded_store.h"

namespace hastore {

class GuardedStore final : public Store {
 public:
  GuardedStore(std::unique_ptr<Store> store, WriteGuard may_write)
      : store_(std::move(store)), may_write_(std::move(may_write)) {}

  const std::string& instance() const override { return store_->instance(); }

  Result<Connection> OpenConnection(std::string_view name) override {
    // A new name is defined durably: a write.
    if (Status refused = may_write_(); !refused.ok()) return Status::NotAppliedBecause(refused);
    Result<Connection> connection = store_->OpenConnection(name);
    if (!connection.ok()) return connection;
    HASTORE_RETURN_IF_ERROR(may_write_());
    return connection;
  }
  std::vector<Connection> Connections() const override { return store_->Connections(); }

  Status Commit(Transaction txn) override {
    if (Status refused = may_write_(); !refused.ok()) return Status::NotAppliedBecause(refused);
    return Confirmed(store_->Commit(std::move(txn)));
  }
  void CommitAsync(Transaction txn, CommitCallback done) override {
    if (Status refused = may_write_(); !refused.ok()) {
      done(Status::NotAppliedBecause(refused));
      return;
    }
    store_->CommitAsync(std::move(txn), [this, done = std::move(done)](Status s) { done(Confirmed(std::move(s))); });
  }

  Result<std::string> Read(Handle handle) const override { return store_->Read(handle); }
  Status Scan(const Connection& connection, const ScanFn& fn) const override { return store_->Scan(connection, fn); }
  StoreStats Stats() const override { return store_->Stats(); }
  Status Health() const override {
    HASTORE_RETURN_IF_ERROR(may_write_());
    return store_->Health();
  }
  Status Close() override { return store_->Close(); }

 protected:
  Handle NewHandle() override { return store_->NewHandle(); }
  void ReserveHandle(Handle handle) override { store_->ReserveHandle(handle); }
  bool Contains(Handle handle) const override { return store_->Contains(handle); }
  uint64_t MaxRecordSize() const override { return store_->MaxRecordSize(); }
  std::string_view RecordLimitName() const override { return store_->RecordLimitName(); }
  bool KnowsConnection(uint32_t id) const override { return store_->KnowsConnection(id); }

 private:
  // A success is reported only if writes are still allowed now that it is durable.
  Status Confirmed(Status s) const {
    if (!s.ok()) return s;
    Status allowed = may_write_();
    if (allowed.ok()) return s;
    return Status::Fenced(allowed.message() + " (the commit finished after that; its outcome is unknown)");
  }

  const std::unique_ptr<Store> store_;
  const WriteGuard may_write_;
};

std::unique_ptr<Store> GuardWrites(std::unique_ptr<Store> store, WriteGuard may_write) {
  return std::make_unique<GuardedStore>(std::move(store), std::move(may_write));
}

}  // namespace hastore
