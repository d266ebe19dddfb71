// The WLStore table of an instance (DESIGN §6): columns ID, TYPE, HANDLE, RECORD, primary key
// ID. Created from a DDL template when missing; a table whose columns differ is refused with
// a message naming the table and the column.
#pragma once

#include <string>
#include <string_view>

#include "hastore/storage/status.h"
#include "hastore/jdbcstore/odbc.h"

namespace hastore::jdbcstore {

// Makes sure `table` (a DESIGN §4 table name, unquoted) exists with the WLStore columns:
// creates it from ddl_template when it does not, and commits (an empty ddl_template: kNotFound
// instead). kInvalidArgument names the table and the missing or unexpected column.
Status EnsureWLStoreTable(OdbcConnection& db, std::string_view table, std::string_view ddl_template);

}  // namespace hastore::jdbcstore
