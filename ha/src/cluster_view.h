// What the cluster master (and `hastore status`) reads from the lease authority: servers and
// their leases, instances and their owners, and the records of cluster state.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "cluster_records.h"
#include "hastore/ha/cluster_config.h"
#include "hastore/ha/lease_authority.h"
#include "hastore/ha/placement.h"

namespace hastore::ha {

struct ClusterSnapshot {
  ClusterView view;                           // the planner's input (cluster_start_ms as recorded, or -1)
  std::map<std::string, LeaseView> servers;   // server name -> its lease
  std::map<std::string, LeaseView> instances; // instance name -> its lease
  std::map<std::string, Assignment> plan;     // instance -> the plan in force
  std::map<std::string, MigrationStatus> migrations;
  std::map<std::string, LastRun> last_runs;
  std::optional<LeaseView> master;
};

// Reads everything in three calls: the clock, every lease, every record (two when the caller
// gives `now_ms`, the authority's clock it has just read). A record that does not decode is an
// error naming it.
Result<ClusterSnapshot> ReadClusterSnapshot(LeaseAuthority& authority, const ClusterConfig& config,
                                            std::optional<int64_t> now_ms = std::nullopt);

}  // namespace hastore::ha
