// The lease authority a cluster configuration names ([leasing]): local or database.
#pragma once

#include <memory>

#include "hastore/ha/cluster_config.h"
#include "hastore/ha/lease_authority.h"

namespace hastore::ha {

Result<std::unique_ptr<LeaseAuthority>> OpenLeaseAuthority(const ClusterConfig& config);

}  // namespace hastore::ha
