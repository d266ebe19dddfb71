// The hastore stores under test: kind "file" (the file store in its default configuration
// apart from the sync policy) and, through MakeStoreTarget, the JDBC kinds (jdbc_target.cc).
// Every commit is one transaction creating one record; nothing is removed, so a store grows by
// the bytes written (5 s at 100k commits/s of 1 KiB is about 500 MB).
#include <functional>
#include <memory>
#include <string>

#include "bench_store.h"
#include "commit_target.h"

namespace hastore::bench {

namespace {

class StoreTarget final : public CommitTarget {
 public:
  StoreTarget(std::unique_ptr<Store> store, Connection connection, std::function<Status()> after_close)
      : store_(std::move(store)), connection_(std::move(connection)), after_close_(std::move(after_close)) {}

  Status Commit(std::string_view record) override {
    Transaction txn = store_->Begin();
    Result<Handle> handle = txn.Create(connection_, record);
    if (!handle.ok()) return handle.status();
    return store_->Commit(std::move(txn));
  }

  Status Close() override {
    HASTORE_RETURN_IF_ERROR(store_->Close());
    return after_close_ ? after_close_() : Status::Ok();
  }

 private:
  std::unique_ptr<Store> store_;
  Connection connection_;
  std::function<Status()> after_close_;
};

}  // namespace

Result<std::unique_ptr<CommitTarget>> MakeStoreTarget(Result<std::unique_ptr<Store>> store,
                                                      std::function<Status()> after_close) {
  if (!store.ok()) return store.status();
  Result<Connection> connection = (*store)->OpenConnection("bench");
  if (!connection.ok()) return connection.status();
  return std::unique_ptr<CommitTarget>(std::make_unique<StoreTarget>(
      std::move(store).value(), std::move(connection).value(), std::move(after_close)));
}

Result<std::unique_ptr<CommitTarget>> OpenFileTarget(const std::string& dir, SyncPolicy policy, IoEngineChoice engine) {
  return MakeStoreTarget(OpenBenchStore(dir, policy, engine));
}

}  // namespace hastore::bench
