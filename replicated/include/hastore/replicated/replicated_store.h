// Opening a replicated store (DESIGN §7): the file store's log kept in .RGN regions of the
// instance's two replication daemons (replicated/FORMAT.md). A commit is acknowledged once both
// daemons hold it in memory (while one of them is away, once the other does: it gives the
// absent one everything when it is back); no fsync sits on the commit path. The store checks epochs through
// the daemons: they refuse any write under an epoch lower than the instance's last claim.
#pragma once

#include <memory>

#include "hastore/replicated/daemon_config.h"
#include "hastore/storage/config.h"
#include "hastore/storage/io.h"
#include "hastore/storage/store.h"

namespace hastore {

struct ReplicatedStoreOptions {
  Clock* clock = nullptr;
  bool read_only = false;  // recover and serve reads only (tools); claims nothing
  bool background_compaction = true;
  // The daemons' configuration, when the caller has it already; otherwise it is read from
  // config.replicated.daemons.
  const replicated::DaemonConfig* daemons = nullptr;
};

// The largest record a replicated store takes: `configured` (its max_record_size) or less, the
// daemons' Maximum Message Size less the room a batch needs around one record.
uint64_t ReplicatedMaxRecordSize(uint64_t max_message_bytes, uint64_t configured);

// The instance's log as the file store engine sees it, for tools that read or mend a replicated
// store batch by batch as they do a file store (hastore verify, dump, list, repair): its
// segments (the regions, as .DAT names) in `directory` of `fs`, which reaches the daemons.
// Opening it claims nothing, and writes through it carry epoch 0, so the daemons refuse them
// (kFenced) once any owner has claimed the instance: `hastore repair` finds what is wrong with
// a replicated store but cannot mend it.
struct ReplicatedLog {
  std::shared_ptr<FileSystem> fs;
  std::string directory;
};
Result<ReplicatedLog> OpenReplicatedLog(const StoreConfig& config, const ReplicatedStoreOptions& options = {});

// kIOError when neither of the instance's daemons serves; kFenced / kLocked as for a file store.
// A record over the Maximum Message Size (a percent of Region Size) is refused with kTooLarge.
Result<std::unique_ptr<Store>> OpenReplicatedStore(const StoreConfig& config, const Ownership& ownership,
                                                   const ReplicatedStoreOptions& options = {});

}  // namespace hastore
