// The DDL hastore ships for the WLStore table of a JDBC store (DESIGN §6): one file per
// database under jdbcstore/ddl/ (installed to share/hastore/ddl/), compiled in as well.
// A user's own DDL file (Create Table From DDL File) follows the same shape: ${TABLE} where the
// quoted table name goes, and the columns ID, TYPE, HANDLE, RECORD with primary key ID.
#pragma once

#include <string>
#include <string_view>

#include "hastore/storage/status.h"

namespace hastore::jdbcstore {

// The shipped template for "sqlite", "postgresql" or "mariadb"; kNotFound for another name.
Result<std::string> ShippedDdl(std::string_view database);

}  // namespace hastore::jdbcstore
