#include "table_schema.h"

#include <algorithm>
#include <array>

#include "hastore/jdbcstore/sql_identifier.h"

namespace hastore::jdbcstore {

namespace {

constexpr std::array<std::string_view, 4> kColumns = {"ID", "TYPE", "HANDLE", "RECORD"};
constexpr std::string_view kTablePlaceholder = "${TABLE}";  // in DDL templates (hastore/jdbcstore/ddl.h)

// The columns of `quoted` as the database reports them, or the error of looking.
Result<std::vector<std::string>> ColumnsOf(OdbcConnection& db, const std::string& quoted) {
  auto probe = db.Prepare("SELECT * FROM " + quoted + " WHERE 1 = 0");
  if (!probe.ok()) return probe.status();
  HASTORE_RETURN_IF_ERROR((*probe)->Execute());
  return (*probe)->ColumnNames();
}

Status CheckColumns(const std::vector<std::string>& found, std::string_view table) {
  for (std::string_view want : kColumns) {
    if (std::find(found.begin(), found.end(), want) == found.end()) {
      return Status::InvalidArgument("table " + std::string(table) + " has no column " + std::string(want) +
                                     "; a WLStore table has exactly ID, TYPE, HANDLE, RECORD");
    }
  }
  for (const std::string& column : found) {
    if (std::find(kColumns.begin(), kColumns.end(), column) == kColumns.end()) {
      return Status::InvalidArgument("table " + std::string(table) + " has column " + column +
                                     ", which a WLStore table does not have (ID, TYPE, HANDLE, RECORD)");
    }
  }
  return Status::Ok();
}

}  // namespace

Status EnsureWLStoreTable(OdbcConnection& db, std::string_view table, std::string_view ddl_template) {
  Result<std::string> quoted = QuoteTableName(table);
  if (!quoted.ok()) return quoted.status();
  Result<std::vector<std::string>> columns = ColumnsOf(db, *quoted);
  if (!columns.ok() && ddl_template.empty()) {
    (void)db.Rollback();
    return Status::NotFound("table " + std::string(table) + " cannot be read: " + columns.status().message());
  }
  if (!columns.ok()) {
    // Most likely missing. A failed statement aborts PostgreSQL's transaction: end it first.
    HASTORE_RETURN_IF_ERROR(db.Rollback());
    std::string ddl(ddl_template);
    for (size_t at = 0; (at = ddl.find(kTablePlaceholder, at)) != std::string::npos; at += quoted->size()) {
      ddl.replace(at, kTablePlaceholder.size(), *quoted);
    }
    Status created = db.ExecuteDirect(ddl, "creating table " + std::string(table));
    if (!created.ok()) {
      (void)db.Rollback();
      return Status(created.code(), "table " + std::string(table) + " cannot be read (" + columns.status().message() +
                                        ") nor created (" + created.message() + ")");
    }
    HASTORE_RETURN_IF_ERROR(db.Commit());
    columns = ColumnsOf(db, *quoted);
    if (!columns.ok()) return columns.status();
  }
  Status checked = CheckColumns(*columns, table);
  (void)db.Rollback();  // the probe's read-only transaction
  return checked;
}

}  // namespace hastore::jdbcstore
