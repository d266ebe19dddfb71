// The agents' part of an operator's migration (migration.h): the scripts of the instance's
// migratable target around the move, and the end of its Status of Last Migration.
//
//   old server  AfterStop: the plan moved a running instance to the server a pending request
//               names, and the agent stopped it. The post script runs while this server still
//               holds the instance lease, so the new server cannot start before it is over.
//   new server  BeforeStart, once it holds the lease: the post script, when the old server is
//               down and Non-Local Post Allowed (the old one could not run it), then the pre
//               script; then the agent opens the store, and AfterActivate records "succeeded".
//
// A pre script that fails, or a post script that fails with Post-Script Failure Is Fatal, fails
// the migration: the record says "failed", naming the script and its exit status, the lease is
// released and the planner leaves the instance unplaced, on every server, until an operator
// migrates it again (placement.h) — what the reference does after a fatal post script: the old
// server's post script may have left the storage in no state to start from, and only a person
// can tell. A post script that fails when not fatal is noted in the record and the move goes on.
//
// Scripts run for an operator's migration only: moves the planner makes by itself (fail-over,
// failback) run none. A script still running when its server shuts down or loses the lease is
// killed and the move goes on without it. A post script may thus run twice — on the old server,
// then on the new one when the old one went down meanwhile and Non-Local Post Allowed — so
// scripts should be idempotent.
//
// Thread safety: the agent's thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hastore/ha/cluster_config.h"
#include "hastore/ha/lease_authority.h"
#include "hastore/ha/migration.h"
#include "instance_index.h"
#include "migration_script.h"

namespace hastore::ha {

class MigrationSteps {
 public:
  // `instances` must outlive this. Times passed in are the agent's monotonic milliseconds.
  MigrationSteps(LeaseAuthority& authority, InstanceIndex& instances, std::string server,
                 std::function<void(const std::string&)> log);

  // The old server stopped `instance` because the plan moved it to `to`. True if a post script
  // now runs: keep the instance lease until Poll says the instance is done with.
  bool AfterStop(const std::string& instance, const std::string& to, uint64_t now_ms);

  enum class Start : uint8_t {
    kNow,           // open the store
    kAfterScripts,  // keep the lease; Poll says when to open it
    kNotNow,        // release the lease: its migration failed (or its record cannot be read now)
  };
  // The new server holds the lease of `instance`.
  Start BeforeStart(const std::string& instance, uint64_t now_ms);

  // `instance` became active here under `epoch`: a migration to here succeeded.
  void AfterActivate(const std::string& instance, uint64_t epoch);

  struct Outcome {
    std::string instance;
    bool start = false;  // open the store now; false: release the lease
  };
  // The instances whose scripts are over.
  std::vector<Outcome> Poll(uint64_t now_ms);

  bool Busy(const std::string& instance) const { return pending_.count(instance) != 0; }
  // Instances whose scripts run before they start here.
  std::vector<std::string> Starting() const;
  // Kills the scripts of `instance` (its lease was lost, or the plan moved it elsewhere), or of
  // every instance (returned: their leases are still held).
  void Abandon(const std::string& instance);
  std::vector<std::string> AbandonAll();

 private:
  enum class Step : uint8_t { kPost, kPre };
  struct Pending {
    MigrationStatus request;
    const MigratableTarget* target = nullptr;
    std::vector<Step> steps;  // to run, in order; the first one is running
    std::unique_ptr<MigrationScript> script;
    std::optional<Status> spawn_error;  // the first step could not even start
    std::string from;                   // the server it leaves
    bool starts_here = false;
  };

  Result<std::optional<MigrationStatus>> Read(const std::string& instance);
  const MigratableTarget* TargetOf(const std::string& instance);
  bool ServerUp(const std::string& server);
  void Begin(const std::string& instance, Pending pending, uint64_t now_ms);
  void Launch(const std::string& instance, Pending& p, uint64_t now_ms);
  // Rewrites the record of the request `seen`, unless a newer request replaced it meanwhile.
  void Update(const std::string& instance, const MigrationStatus& seen, std::string_view state, const std::string& text);
  // Writes `current`, the record as just read, with `state` and `text`.
  void Write(const std::string& instance, MigrationStatus current, std::string_view state, const std::string& text);

  LeaseAuthority& authority_;
  InstanceIndex& instances_;
  const std::string server_;
  const std::function<void(const std::string&)> log_;
  std::map<std::string, Pending> pending_;
};

}  // namespace hastore::ha
