// Opening the store a verb named (store_locator.h), whatever its kind.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "hastore/filestore/inspect.h"

#include "hastore/storage/io.h"
#include "hastore/storage/store.h"
#include "store_locator.h"

namespace hastore::tools {

// Read-only: recovers (file, replicated) or loads (jdbc) and serves reads; takes no lock,
// claims nothing, writes nothing, and a file or replicated instance with no segments is
// kNotFound. Writable: single-server ownership (epoch 0) as `holder`, refused while another
// live owner has the store; a new instance or table is created.
Result<std::unique_ptr<Store>> OpenReadOnly(const StoreLocation& location);
Result<std::unique_ptr<Store>> OpenWritable(const StoreLocation& location, const std::string& holder,
                                            bool background_compaction = true);

// Where the log of a file or replicated store is, for the verbs that read or mend it batch by
// batch (InspectFileStore, RepairFileStore): its segments in `directory` of `fs` (a local
// directory, or the regions on the replication daemons).
struct StoreLog {
  std::string directory;
  std::shared_ptr<FileSystem> fs;  // null: the local file system
};
// kNotFound unless the log holds segment files of the instance, so that a verb given a
// mistyped name fails rather than make a new, empty instance; kInvalidArgument for a JDBC
// store (the open of a JDBC store says whether its table exists).
Result<StoreLog> OpenExistingLog(const StoreLocation& location);

// A replicated store's repair writes through its log without a claim on the daemons (a file
// store's repair takes the store's lock file), so nothing there keeps it out while a client
// holds the instance. This asks the instance's two daemons: kLocked, naming the holder, when
// one reports a live claim. A check, not a lock: a client that claims after it is not kept
// out. Ok for the other kinds.
Status CheckNotHeld(const StoreLocation& location);

// InspectFileStore on the log of a file or replicated store that exists.
Result<FileStoreInspection> InspectLog(const StoreLocation& location,
                                       const std::function<void(const StoredRecord&)>& on_record = {});
// The same on a log OpenExistingLog gave.
Result<FileStoreInspection> InspectLog(const StoreLocation& location, const StoreLog& log,
                                       const std::function<void(const StoredRecord&)>& on_record = {});

// The size of each segment file of the instance in `log`, by file name.
Result<std::map<std::string, uint64_t>> SegmentFileSizes(const StoreLog& log, const std::string& instance);

}  // namespace hastore::tools
