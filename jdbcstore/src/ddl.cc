#include "hastore/jdbcstore/ddl.h"

#include "ddl_files.h"

namespace hastore::jdbcstore {

Result<std::string> ShippedDdl(std::string_view database) {
  for (const ShippedDdlFile& f : kShippedDdlFiles) {
    if (f.database == database) return std::string(f.text);
  }
  return Status::NotFound("no DDL file for database '" + std::string(database) + "' (sqlite, postgresql, mariadb)");
}

}  // namespace hastore::jdbcstore
