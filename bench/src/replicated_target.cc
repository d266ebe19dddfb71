// Kind "replicated": the replicated store on two replication daemons started in this process on
// loopback (127.0.0.2 and 127.0.0.3), their regions under the row's directory. Each commit is
// acknowledged once both daemons hold it in memory.
#include <memory>

#include "commit_target.h"
#include "hastore/replicated/daemon.h"
#include "hastore/replicated/replicated_store.h"

namespace hastore::bench {

Result<std::unique_ptr<CommitTarget>> OpenReplicatedTarget(const std::string& dir) {
  auto daemons = std::make_shared<std::vector<std::unique_ptr<replicated::Daemon>>>();
  const replicated::DaemonConfig config = replicated::LoopbackDaemons(2, dir, 128ull << 20);  // each copies it
  replicated::DaemonOptions options;
  options.serve_alone = true;  // fresh daemons: nothing to wait for
  for (int i = 0; i < 2; ++i) {
    Result<std::unique_ptr<replicated::Daemon>> d = replicated::Daemon::Start(config, i, options);
    if (!d.ok()) return d.status();
    daemons->push_back(std::move(*d));
  }
  StoreConfig store;
  store.name = "bench";
  store.kind = StoreKind::kReplicated;
  store.replicated.daemons = dir + "/(in process)";
  ReplicatedStoreOptions o;
  o.daemons = &config;
  return MakeStoreTarget(OpenReplicatedStore(store, Ownership{0, "hastore bench"}, o), [daemons] {
    for (auto& d : *daemons) d->Stop();
    return Status::Ok();
  });
}

}  // namespace hastore::bench
