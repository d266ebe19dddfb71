#include "store_opener.h"

#include "hastore/filestore/file_store.h"
#include "hastore/jdbcstore/jdbc_store.h"

namespace hastore::tools {

Result<std::unique_ptr<Store>> OpenReadOnly(const StoreLocation& location) {
  if (location.config.kind == StoreKind::kJdbc) {
    return OpenJdbcStore(location.config, Ownership{}, JdbcStoreOptions{.read_only = true});
  }
  HASTORE_RETURN_IF_ERROR(CheckInstanceExists(location));
  return OpenFileStore(location.config, Ownership{}, FileStoreOptions{.read_only = true});
}

Result<std::unique_ptr<Store>> OpenWritable(const StoreLocation& location, const std::string& holder) {
  if (location.config.kind == StoreKind::kJdbc) return OpenJdbcStore(location.config, Ownership{0, holder});
  return OpenFileStore(location.config, Ownership{0, holder});
}

}  // namespace hastore::tools
