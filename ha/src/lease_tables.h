// The two tables of the `database` lease authority (database_lease_authority.h): they exist
// with exactly the expected columns before the authority is used, or the open fails saying
// which table, which column, and how to make them.
#pragma once

#include "active_table_sql.h"
#include "hastore/jdbcstore/odbc.h"
#include "hastore/storage/config.h"
#include "hastore/storage/status.h"

namespace hastore::ha {

// Checks both tables; creates the missing ones from the shipped DDL when `create` (Always) and
// commits, else kNotFound naming the table and the DDL file. A table whose columns differ is
// kInvalidArgument naming the table and the column. Ends with no transaction open.
Status EnsureLeaseTables(jdbcstore::OdbcConnection& db, JdbcDatabase database, const LeaseTableNames& tables,
                         bool create);

}  // namespace hastore::ha
