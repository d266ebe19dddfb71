#pragma once

#include <vector>

#include "conformance/store_factory.h"

namespace hastore::testing {
// replicated: an instance on two replication daemons started in this process on loopback.
std::vector<StoreKindParam> ReplicatedStoreKinds();
}
