// Kind "file": the hastore file store under test, in its default configuration apart from the
// sync policy. Every commit is one transaction creating one record; nothing is removed, so the
// store grows by the bytes written (5 s at 100k commits/s of 1 KiB is about 500 MB).
#include <memory>
#include <string>

#include "bench_store.h"
#include "commit_target.h"

namespace hastore::bench {

namespace {

class FileTarget final : public CommitTarget {
 public:
  FileTarget(std::unique_ptr<Store> store, Connection connection)
      : store_(std::move(store)), connection_(std::move(connection)) {}

  Status Commit(std::string_view record) override {
    Transaction txn = store_->Begin();
    Result<Handle> handle = txn.Create(connection_, record);
    if (!handle.ok()) return handle.status();
    return store_->Commit(std::move(txn));
  }

  Status Close() override { return store_->Close(); }

 private:
  std::unique_ptr<Store> store_;
  Connection connection_;
};

}  // namespace

Result<std::unique_ptr<CommitTarget>> OpenFileTarget(const std::string& dir, SyncPolicy policy, IoEngineChoice engine) {
  Result<std::unique_ptr<Store>> store = OpenBenchStore(dir, policy, engine);
  if (!store.ok()) return store.status();
  Result<Connection> connection = (*store)->OpenConnection("bench");
  if (!connection.ok()) return connection.status();
  return std::unique_ptr<CommitTarget>(std::make_unique<FileTarget>(std::move(store).value(), std::move(connection).value()));
}

}  // namespace hastore::bench
