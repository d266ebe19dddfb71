// What the cluster master (and `hastore status`) reads from the lease authority: servers and
// their leases, instances and their owners, and the records of cluster state.
#pragma once

#include <map>
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

// Reads everything in a handful of calls; a record that does not decode is an error naming it.
Result<ClusterSnapshot> ReadClusterSnapshot(LeaseAuthority& authority, const ClusterConfig& config);

}  // namespace hastore::ha
