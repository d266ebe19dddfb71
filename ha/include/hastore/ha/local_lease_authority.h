// The `local` lease authority (DESIGN §8): an LMDB environment in a directory that the servers
// of one host share — the embedded default, with nothing to start. LMDB serialises writers
// across processes with a robust mutex, so a server killed mid-write does not wedge the others.
//
// Expiry is judged by the host's monotonic clock, which every process of the host shares. It
// restarts at boot, so the environment remembers the boot id: the first open after a reboot
// releases every lease (keeping its epoch — epochs never go down).
//
// Every write is a synchronous LMDB commit: an epoch handed out must survive a power loss, or a
// later owner could be given an epoch the storage's fence already holds.
#pragma once

#include <memory>
#include <string>

#include "hastore/ha/lease_authority.h"
#include "hastore/storage/io.h"

namespace hastore::ha {

struct LocalLeaseOptions {
  Clock* clock = nullptr;  // null: the system's monotonic clock
  std::string boot_id;     // "": /proc/sys/kernel/random/boot_id
};

// Opens (creating) the environment in `directory`. Opens of one directory in one process share
// the environment (LMDB allows one per process).
Result<std::unique_ptr<LeaseAuthority>> OpenLocalLeaseAuthority(const std::string& directory,
                                                                const LocalLeaseOptions& options = {});

}  // namespace hastore::ha
