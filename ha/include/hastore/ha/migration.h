// Manual migration (`hastore migrate`, DESIGN §8) and the Status of Last Migration.
//
// An operator's request pins an instance to a server and records the request in the lease
// authority; the master's next plan follows the pin, and the agents carry the move out:
//   old server  stops the instance, runs its migratable target's post script, releases its lease;
//   new server  takes the lease, runs the pre script (and the post script first, when the old
//               server is down and Non-Local Post Allowed), opens the store, records "succeeded".
// A pre script that fails, or a post script that fails when Post-Script Failure Is Fatal, fails
// the migration: the instance stays stopped on every server until an operator migrates it again.
// The record lives in the lease authority, not in the master, so it survives a change of master
// (unlike the reference). Cluster-targeted instances may be moved by hand too (beyond the
// reference); they have no scripts.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hastore/ha/cluster_config.h"
#include "hastore/ha/lease_authority.h"

namespace hastore::ha {

inline constexpr std::string_view kMigrationRequested = "requested";
inline constexpr std::string_view kMigrationSucceeded = "succeeded";
inline constexpr std::string_view kMigrationFailed = "failed";

// The Status of Last Migration of one instance (record migration.<instance>).
struct MigrationStatus {
  std::string from;          // its owner at the request, else where it last ran; "" never ran
  std::string to;
  std::string state;         // kMigrationRequested, kMigrationSucceeded, kMigrationFailed
  std::string message;       // why it failed, how it ended, notes on the way
  int64_t requested_ms = 0;  // times on the authority's clock (LeaseAuthority::NowMs)
  int64_t finished_ms = -1;  // -1 while requested
};

// One instance a request moves.
struct MigrationTicket {
  std::string instance;
  std::string from;
  // Identifies the request in the instance's MigrationStatus; -1 when there was nothing to move
  // (it is already active on the server: it is only pinned there).
  int64_t requested_ms = -1;
};

// Asks the cluster to move `name` to server `to`: an instance, or a migratable target (every
// instance of the stores targeted at it). For each instance it writes the request, then the pin
// — unguarded writes, an operator's request needs no lease; in that order, so the server that
// gives the instance up finds the request that makes it run the post script.
//
// Refused with kInvalidArgument, naming what is wrong and writing nothing, when `name` is no
// instance or migratable target, `to` no server of the cluster, not a candidate server of the
// migratable target, or not up (it holds no live server lease), or the instance is targeted at
// a server. kIOError and the like from the authority.
Result<std::vector<MigrationTicket>> RequestMigration(LeaseAuthority& authority, const ClusterConfig& config,
                                                      std::string_view name, std::string_view to);

}  // namespace hastore::ha
