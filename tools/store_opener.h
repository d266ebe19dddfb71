// Opening the store a verb named (store_locator.h), whatever its kind.
#pragma once

#include <memory>
#include <string>

#include "hastore/storage/store.h"
#include "store_locator.h"

namespace hastore::tools {

// Read-only: recovers (file) or loads (jdbc) and serves reads; takes no lock, writes nothing,
// and a file instance that does not exist is kNotFound. Writable: single-server ownership
// (epoch 0) as `holder`, refused while another live owner has the store; a new instance or
// table is created.
Result<std::unique_ptr<Store>> OpenReadOnly(const StoreLocation& location);
Result<std::unique_ptr<Store>> OpenWritable(const StoreLocation& location, const std::string& holder);

}  // namespace hastore::tools
