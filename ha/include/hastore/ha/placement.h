// The placement planner (DESIGN §8): a pure function from what the cluster master sees, the
// configuration and the time to where every instance should run. Safety does not depend on
// it — one owner per instance comes from leases and epochs alone; the plan only decides which
// server should try to claim what.
//
// The rules, with the reference system's attributes (cluster_config.h):
//   - An instance runs on one server. One already running on a server where the plan still
//     allows it stays there (no needless moves), except for failback.
//   - Distributed: `store@server` prefers its server. Singleton: `store-01` prefers the first
//     server of the cluster. A server target: only that server, never moved.
//   - Migration Policy Off: only the preferred server. On-Failure: moves when its server
//     crashed (lease expired) or failed it, not when its server was shut down by an operator.
//     Always: moves in both cases.
//   - Restart in place: an instance that failed on a live server is given back to that server
//     Seconds Between Restarts after the failure, Number Of Restart Attempts times (-1: for
//     ever, 0: never); then it moves if its policy allows, to a server it has not failed on.
//   - Initial Boot Delay Seconds: while the cluster is younger than that, an instance whose
//     preferred server is not up is not placed elsewhere.
//   - Partial Cluster Stability Delay Seconds: while the cluster is younger than that and not
//     every server is up, instances that could move (On-Failure, Always) wait.
//   - Failback Delay Seconds: an instance running away from its preferred server goes back once
//     that server has been up this long (-1: at once, 0: never).
//   - Fail Over Limit: at most N instances of a store run on servers that are not their
//     preferred one, per server (-1: no limit); an instance that fits nowhere stays unplaced.
//   - A server that never comes back: its instances move (per policy). After dynamic
//     scale-down, instances of servers no longer in the cluster are placed like those of a
//     crashed server, so their records are still served.
//   - Migratable targets: Manual runs only on its current server (the user preferred one, or
//     where an operator moved it) and moves only by hand. Exactly-Once runs on any candidate
//     that is up and moves on crash or shutdown. Failure-Recovery starts only on its user
//     preferred server and moves to a candidate only when its server crashed.
//   - An operator's migration (`hastore migrate`) pins an instance to a live server, cluster
//     targeted or not (beyond the reference), until that server goes down. An instance whose
//     migration failed and that is not running is not placed until an operator migrates it
//     again (the reference: "not automatically migrated until an administrator manually
//     migrates it").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hastore/ha/cluster_config.h"

namespace hastore::ha {

// Times are milliseconds of the lease authority's clock (LeaseAuthority::NowMs).
struct ServerState {
  std::string name;
  bool up = false;             // holds its server lease
  int64_t up_since_ms = -1;    // start of its current run (up), or -1
  bool shut_down = false;      // down after an orderly shutdown (released its lease), not a crash
};

struct InstanceState {
  std::string instance;
  std::string owner;           // server holding its lease live; "" if none
  std::string last_server;     // where it last ran (or was last assigned); "" never
  // Failures of the instance (its store would not open or failed) on `failed_on`, counted
  // since it last ran there without failing.
  std::string failed_on;
  uint32_t failures = 0;
  int64_t last_failure_ms = -1;
  std::vector<std::string> given_up_on;  // servers it exhausted its restarts on
  std::string pinned_server;   // an operator's migration; "" none
  // Why its last migration failed (a pre script, or a fatal post script): it waits, stopped,
  // for an operator to migrate it again. "" if that migration did not fail.
  std::string failed_migration;
};

struct ClusterView {
  int64_t now_ms = 0;
  int64_t cluster_start_ms = 0;  // when the first server of this cluster run came up
  std::vector<ServerState> servers;
  // Instances the authority knows (ever leased), whether or not the configuration still
  // defines them; instances of the configuration missing here are new.
  std::vector<InstanceState> instances;
};

struct Assignment {
  std::string instance;
  std::string server;       // "" unplaced
  int64_t not_before_ms = 0;  // restart in place: the earliest time to try again
  std::string reason;       // for `hastore status`: "preferred server", "failed over from ms1", ...
};

// One assignment per instance of Instances(config) and per known instance of the view, in
// instance-name order.
std::vector<Assignment> Plan(const ClusterConfig& config, const ClusterView& view);

}  // namespace hastore::ha
