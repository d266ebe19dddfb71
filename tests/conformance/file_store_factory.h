#pragma once

#include <vector>

#include "conformance/store_factory.h"

namespace hastore::testing {
std::vector<StoreKindParam> FileStoreKinds();
}
