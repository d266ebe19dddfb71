// Table names in SQL text. A DESIGN §4 table name may hold a '-' (from a server name) and a
// schema qualifier ("myPrefix._myServer_WLStore"), so it is always quoted; anything outside
// [A-Za-z0-9_-] in a part is refused rather than escaped, so no name can change a statement.
#pragma once

#include <string>
#include <string_view>

#include "hastore/storage/status.h"

namespace hastore::jdbcstore {

// "a.b-c" -> "\"a\".\"b-c\"" (ANSI double quotes; SQLite, PostgreSQL and MariaDB in ANSI_QUOTES
// mode accept them). One to three parts ([[catalog.]schema.]table), none empty.
Result<std::string> QuoteTableName(std::string_view table);

}  // namespace hastore::jdbcstore
