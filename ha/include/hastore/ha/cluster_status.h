// What `hastore status` shows: a cluster as its lease authority records it — the servers and
// their leases, the master, and every instance with its owner, epoch, state, plan and Status of
// Last Migration. Reading it takes no lease and writes nothing, so it may run anywhere the
// authority can be reached, as often as wanted.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hastore/ha/cluster_config.h"
#include "hastore/ha/lease_authority.h"
#include "hastore/ha/migration.h"
#include "hastore/ha/placement.h"

namespace hastore::ha {

enum class ServerCondition : uint8_t {
  kUp,          // holds its server lease
  kShutDown,    // its last run ended in an orderly shutdown
  kCrashed,     // held a lease once and let it run out
  kNotStarted,  // never held a lease
};

enum class InstanceCondition : uint8_t {
  kActive,      // its owner opened it under the current epoch
  kStarting,    // its owner holds the lease but has not activated it yet (scripts, opening)
  kAssigned,    // the plan gives it to a server that has not claimed it yet
  kRestarting,  // the plan gives it back to a server after Seconds Between Restarts
  kNotPlaced,   // the plan gives it to no server (the plan's reason says why)
  kNotPlanned,  // no master has planned it yet
};

std::string_view ToString(ServerCondition c);     // "up", "shut down", "crashed", "not started"
std::string_view ToString(InstanceCondition c);   // "active", "starting", "assigned", "restarting", "not placed", "not planned"

struct ServerStatus {
  std::string name;
  ServerCondition condition = ServerCondition::kNotStarted;
  bool configured = true;     // false: it held a lease but the configuration lists it no more
  LeaseView lease;            // holder, epoch, time left; empty if it never held one
  int64_t up_since_ms = -1;   // while up
};

struct InstanceStatus {
  std::string instance;
  InstanceCondition condition = InstanceCondition::kNotPlanned;
  std::string owner;          // holds its lease live; "" none
  uint64_t epoch = 0;         // of its lease, its fencing token (the last granted, if not held)
  int64_t lease_remaining_ms = 0;
  std::optional<Assignment> plan;                 // the plan in force: server, not before, reason
  std::optional<MigrationStatus> last_migration;  // the Status of Last Migration
};

struct ClusterStatus {
  std::string cluster;
  std::string authority;            // LeaseAuthority::Describe()
  int64_t now_ms = 0;               // the authority's clock, which every time here is on
  std::optional<LeaseView> master;  // nullopt: never held
  std::vector<ServerStatus> servers;      // the configuration's and every other that held a lease, by name
  std::vector<InstanceStatus> instances;  // the configuration's and every other known one, by name
};

// "active on ms1", "active on ms1, moving to ms2", "assigned to ms2, not claimed yet",
// "restarting on ms1: not before 12 s from now", "not placed: <the plan's reason>": one line
// for people.
std::string Summary(const InstanceStatus& instance, int64_t now_ms);

// Errors: the authority's, or kCorruption naming a record that does not decode.
Result<ClusterStatus> ReadClusterStatus(LeaseAuthority& authority, const ClusterConfig& config);

// The instance of `status` by name; nullptr if it is not there.
const InstanceStatus* FindInstance(const ClusterStatus& status, std::string_view instance);

}  // namespace hastore::ha
