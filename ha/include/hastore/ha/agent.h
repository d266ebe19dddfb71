// The agent: runs one server of a cluster (DESIGN §8). Every tick it
//   - renews, in one call, every lease it holds (its server lease, its instances', the master's)
//     and stops its instances itself when it cannot renew before its leases end, judged by its
//     own monotonic clock from before the request (self-fencing; or exits, per on_lease_lost);
//   - tries to hold the cluster-master lease; the master computes the plan (placement.h) from
//     what the authority shows and writes it, guarded by its lease, for every server to read;
//   - claims the instances the plan gives it: takes the instance lease (a new epoch), opens the
//     store under that epoch and hands it to the host; gives up those the plan moved away, and
//     records the failures of those that would not open or failed, so the master restarts them
//     in place or moves them;
//   - carries out operators' migrations (migration.h): the post script of a migratable target
//     on the server it leaves, the pre script on the one it goes to, and the Status of Last
//     Migration as the move ends.
// The store handed to the host refuses every write once the leases can no longer be trusted,
// at that moment, even while the agent's threads wait on an authority that does not answer (a
// hung database, a cut network) and cannot stop the instance yet: a commit is refused before it
// is sent, and one that becomes durable after that moment is reported `fenced`, never OK
// (guarded_store.h). Deactivate follows when the agent's thread gets its turn. The storage
// checks the epoch as well, so a paused agent that wakes after its leases were taken cannot
// write (file: fence file; jdbc: owner row; replicated: the daemons' fence in every frame).
//
// Thread safety: Start and Shutdown from one thread; Instances, is_master and self_fences from
// any. The host's callbacks (InstanceHost) run on the agent's thread, one at a time. open_store
// runs on a thread of its own per store being opened, several at once, so a slow open (a
// database lock held by a paused owner) holds up nothing else: it must be thread-safe.
// The `log` callback does not: the agent's thread and its heartbeat thread may call it at once.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hastore/ha/cluster_config.h"
#include "hastore/ha/lease_authority.h"
#include "hastore/storage/io.h"
#include "hastore/storage/store.h"

namespace hastore::ha {

// What the embedding service (a broker) is told.
class InstanceHost {
 public:
  virtual ~InstanceHost() = default;
  // `instance` is active here, with its store open under `epoch`. An error means the instance
  // failed to start: the store is closed and the failure recorded (it is restarted per policy).
  virtual Status Activate(const std::string& instance, Store& store, uint64_t epoch) = 0;
  // Stop using the instance now: its store is closed when this returns. `why` is for logs.
  virtual void Deactivate(const std::string& instance, std::string_view why) = 0;
};

// Opens the store of an instance under an epoch; the default opens file, jdbc and replicated
// stores.
using StoreOpener = std::function<Result<std::unique_ptr<Store>>(const StoreConfig&, const Ownership&)>;

struct AgentOptions {
  ClusterConfig config;
  std::string server;              // a server of config.Servers()
  InstanceHost* host = nullptr;
  // null: the authority config.leasing names, opened by Start.
  std::shared_ptr<LeaseAuthority> authority;
  StoreOpener open_store;          // null: OpenFileStore / OpenJdbcStore
  Clock* clock = nullptr;          // null: the system clock (the agent's own, for self-fencing)
  // Between two looks at the plan; 0: a quarter of the health check interval, at most 100 ms.
  uint64_t tick_ms = 0;
  // Where the agent's progress lines go ("<server>: <what happened>"). Null: the library's
  // logger (hastore/storage/log.h), at level info. Called from more than one thread, possibly
  // at once: it must be thread-safe.
  std::function<void(std::string_view)> log;
};

struct LocalInstance {
  std::string instance;
  std::string state;  // "active": Instances() lists the instances active here, and only them
  uint64_t epoch = 0;
};

class Agent {
 public:
  // Takes the server lease (waiting while a previous run of this server still holds it, up to
  // a lease and a grace period) and starts the agent's thread.
  static Result<std::unique_ptr<Agent>> Start(AgentOptions options);
  virtual ~Agent() = default;

  // Orderly shutdown (SIGTERM): deactivates and closes every instance, releases its leases and
  // records the server as shut down, so policies that do not migrate on shutdown keep its
  // instances where they are. Idempotent.
  virtual Status Shutdown() = 0;

  virtual std::vector<LocalInstance> Instances() const = 0;
  virtual bool is_master() const = 0;
  // Times this agent fenced itself (lost its leases) since Start.
  virtual uint64_t self_fences() const = 0;
};

}  // namespace hastore::ha
