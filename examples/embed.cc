// Embedding hastore: open a file store, keep records in a connection, commit atomically.
#include <hastore/filestore/file_store.h>

#include <cstdio>

int main(int argc, char** argv) {
  hastore::StoreConfig config;
  config.name = "orders";
  config.file.directory = argc > 1 ? argv[1] : "/tmp/hastore-example";
  config.file.sync_policy = hastore::SyncPolicy::kDirectWrite;

  // Epoch 0: single-server mode; the store takes its local lock and bumps the fence epoch.
  auto store = hastore::OpenFileStore(config, hastore::Ownership{0, "example"});
  if (!store.ok()) {
    std::fprintf(stderr, "open: %s\n", store.status().ToString().c_str());
    return 1;
  }
  auto queue = (*store)->OpenConnection("queue/orders");
  if (!queue.ok()) return 1;

  hastore::Transaction txn = (*store)->Begin();
  auto handle = txn.Create(*queue, "order #1");
  if (!handle.ok()) return 1;
  hastore::Status s = (*store)->Commit(std::move(txn));  // returns once durable
  if (!s.ok()) {
    std::fprintf(stderr, "commit: %s\n", s.ToString().c_str());
    return 1;
  }
  s = (*store)->Scan(*queue, [](hastore::Handle h, std::string_view data) {
    std::printf("%llu %.*s\n", static_cast<unsigned long long>(h), static_cast<int>(data.size()), data.data());
    return true;
  });
  if (!s.ok()) return 1;
  return (*store)->Close().ok() ? 0 : 1;
}
