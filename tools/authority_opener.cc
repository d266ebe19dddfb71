#include "authority_opener.h"

#include <filesystem>
#include <system_error>

#include "hastore/ha/open_authority.h"
#include "hastore/storage/io.h"

namespace hastore::tools {

Result<std::unique_ptr<ha::LeaseAuthority>> OpenExistingAuthority(const ha::ClusterConfig& config) {
  if (config.leasing.basis == ha::LeasingBasis::kLocal) {
    const std::string environment = JoinPath(config.leasing.directory, "data.mdb");  // LMDB's data file
    std::error_code error;
    if (!std::filesystem::is_regular_file(environment, error)) {
      return Status::NotFound("no lease authority in " + config.leasing.directory + " (no " + environment +
                              "): no server of cluster " + config.name + " has run with it");
    }
  }
  return ha::OpenLeaseAuthority(config);
}

}  // namespace hastore::tools
