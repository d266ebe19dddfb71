#include "hastore/jdbcstore/sql_identifier.h"

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
                                     "'; table names are made of A-Z, a-z, 0-9, '_' and '-', in at most three "
                                     "parts separated by '.'");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::string> QuoteTableName(std::string_view table) {
  std::string quoted;
  int parts = 0;
  for (size_t at = 0;; ++parts) {
    const size_t dot = table.find('.', at);
    const std::string_view part = table.substr(at, dot == std::string_view::npos ? std::string_view::npos : dot - at);
    HASTORE_RETURN_IF_ERROR(CheckPart(part, table));
    if (parts == 3) {
      return Status::InvalidArgument("table name '" + std::string(table) +
                                     "' has more than three parts (catalog.schema.table)");
    }
    quoted += (quoted.empty() ? "\"" : ".\"") + std::string(part) + "\"";
    if (dot == std::string_view::npos) break;
    at = dot + 1;
  }
  return quoted;
}

}  // namespace hastore::jdbcstore
