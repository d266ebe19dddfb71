// The file store under each sync policy (with the default engine, pwrite), and Direct-Write on
// the io_uring engine, for the conformance suite.
#include "conformance/file_store_factory.h"

#include "common/temp_dir.h"
#include "hastore/filestore/file_store.h"

namespace hastore::testing {
namespace {

class FileStoreFactory final : public StoreFactory {
 public:
  FileStoreFactory(SyncPolicy policy, IoEngineChoice engine) {
    config_.name = "conformance";
    config_.file.directory = dir_.path();
    config_.file.sync_policy = policy;
    config_.file.io_engine = engine;
  }
  Result<std::unique_ptr<Store>> OpenAs(const Ownership& ownership) override { return OpenFileStore(config_, ownership); }
  uint64_t max_record_size() const override { return config_.max_record_size; }

 private:
  TempDir dir_;
  StoreConfig config_;
};

}  // namespace

std::vector<StoreKindParam> FileStoreKinds() {
  std::vector<StoreKindParam> kinds;
  for (SyncPolicy p : {SyncPolicy::kDirectWrite, SyncPolicy::kDirectWriteWithCache, SyncPolicy::kCacheFlush,
                       SyncPolicy::kDisabled}) {
    std::string name = "file_" + std::string(ToString(p));
    for (char& c : name) {
      if (c == '-') c = '_';
    }
    kinds.push_back({name, [p] { return std::unique_ptr<StoreFactory>(new FileStoreFactory(p, IoEngineChoice::kAuto)); }});
  }
  kinds.push_back({"file_Direct_Write_io_uring", [] {
                     return std::unique_ptr<StoreFactory>(
                         new FileStoreFactory(SyncPolicy::kDirectWrite, IoEngineChoice::kIoUring));
                   }});
  return kinds;
}

}  // namespace hastore::testing
