#pragma once

#include <vector>

#include "conformance/store_factory.h"

namespace hastore::testing {
// jdbc_sqlite (embedded, a database file in a temporary directory) and jdbc_postgresql (the
// server whose ODBC connection string is in HASTORE_TEST_POSTGRES, which tools/test.sh starts).
std::vector<StoreKindParam> JdbcStoreKinds();
}
