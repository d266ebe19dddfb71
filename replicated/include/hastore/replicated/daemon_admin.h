// What operators ask replication daemons (hastore rsd-admin): what each daemon holds, removing
// an instance's regions, shutting a daemon down.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hastore/replicated/daemon_config.h"

namespace hastore::replicated {

struct RegionInfo {
  std::string name;  // U000007.RGN, or a small file such as U.FENCE
  uint64_t bytes = 0;
};

struct HeldInstanceInfo {
  std::string instance;
  uint64_t epoch = 0;         // its claim
  std::string session;        // who claimed it
  bool partner_stale = false; // its partner missed writes: this daemon holds the only copy of them
  uint32_t live_claims = 0;   // clients connected that hold its claim (active: not removable)
  std::vector<RegionInfo> files;
};

struct DaemonInfo {
  int index = 0;
  std::string address;
  Status reachable;  // why it could not be asked, if it could not
  bool serving = false;
  uint64_t used_bytes = 0, capacity_bytes = 0;
  std::vector<HeldInstanceInfo> instances;
};

// Asks daemon `index`; an unreachable daemon is reported in `reachable`, not as an error.
DaemonInfo QueryDaemon(const DaemonConfig& config, int index);
// Removes every region of `instance` from both its daemons. kLocked while a client holds it.
Status RemoveInstance(const DaemonConfig& config, const std::string& instance);
// Asks daemon `index` to shut down. Without `force` it refuses (kLocked) while an instance it
// holds would be left without an up-to-date copy on its partner.
Status ShutdownDaemon(const DaemonConfig& config, int index, bool force);

}  // namespace hastore::replicated
