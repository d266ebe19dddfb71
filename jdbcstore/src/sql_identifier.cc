#include "sql_identifier.h"

namespace hastore::jdbcstore {

namespace {

bool IdentifierChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

Status CheckPart(std::string_view part, std::string_view table) {
  if (part.empty()) return Status::InvalidArgument("table name '" + std::string(table) + "' has an empty part");
  for (char c : part) {
    if (!IdentifierChar(c)) {
      return Status::InvalidArgument("table name '" + std::string(table) + "' holds '" + std::string(1, c) +
                                     "'; table names are made of A-Z, a-z, 0-9, '_' and '-', with at most one '.'");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::string> QuoteTableName(std::string_view table) {
  const size_t dot = table.find('.');
  if (dot == std::string_view::npos) {
    HASTORE_RETURN_IF_ERROR(CheckPart(table, table));
    return "\"" + std::string(table) + "\"";
  }
  const std::string_view schema = table.substr(0, dot), name = table.substr(dot + 1);
  HASTORE_RETURN_IF_ERROR(CheckPart(schema, table));
  HASTORE_RETURN_IF_ERROR(CheckPart(name, table));
  return "\"" + std::string(schema) + "\".\"" + std::string(name) + "\"";
}

}  // namespace hastore::jdbcstore
