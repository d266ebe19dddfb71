// The replicated store on a pair of in-process daemons (127.0.0.2 and 127.0.0.3), for the
// conformance suite.
#include "conformance/replicated_store_factory.h"

#include <gtest/gtest.h>

#include "common/daemon_cluster.h"
#include "hastore/replicated/replicated_store.h"

namespace hastore::testing {
namespace {

class ReplicatedStoreFactory final : public StoreFactory {
 public:
  // Regions of 2 GiB (sparse files), so that the Maximum Message Size (1% of a region) admits
  // the suite's 16 MiB records.
  ReplicatedStoreFactory() : daemons_(2, 2ull << 30) {
    started_ = daemons_.StartAll();
    config_.name = "conformance";
    config_.kind = StoreKind::kReplicated;
    config_.replicated.daemons = "(in the test)";
  }
  Result<std::unique_ptr<Store>> OpenAs(const Ownership& ownership) override {
    if (!started_) return Status::IOError(started_.message());
    ReplicatedStoreOptions o;
    o.daemons = &daemons_.config();
    return OpenReplicatedStore(config_, ownership, o);
  }
  uint64_t max_record_size() const override {
    return ReplicatedMaxRecordSize(daemons_.config().max_message_bytes(), config_.max_record_size);
  }

 private:
  DaemonCluster daemons_;
  ::testing::AssertionResult started_ = ::testing::AssertionFailure();
  StoreConfig config_;
};

}  // namespace

std::vector<StoreKindParam> ReplicatedStoreKinds() {
  return {{"replicated", [] { return std::unique_ptr<StoreFactory>(new ReplicatedStoreFactory()); }}};
}

}  // namespace hastore::testing
