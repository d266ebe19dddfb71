// The lease authority of a cluster, for the verbs that read it (status) or write a request
// into it (migrate) without being a server of the cluster.
#pragma once

#include <memory>

#include "hastore/ha/cluster_config.h"
#include "hastore/ha/lease_authority.h"

namespace hastore::tools {

// ha::OpenLeaseAuthority, except that a local authority no server has made yet (no
// data.mdb in leasing.directory) is kNotFound, naming the directory, and is not made: a
// mistyped directory or a cluster that never ran leaves nothing behind.
Result<std::unique_ptr<ha::LeaseAuthority>> OpenExistingAuthority(const ha::ClusterConfig& config);

}  // namespace hastore::tools
