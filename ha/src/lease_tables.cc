#include "lease_tables.h"

#include <algorithm>
#include <array>
#include <span>
#include <string>
#include <vector>

#include "lease_ddl_files.h"

namespace hastore::ha {

namespace {

using jdbcstore::OdbcConnection;

constexpr std::array<std::string_view, 7> kActiveColumns = {"SERVER",      "INSTANCE", "SESSION", "DOMAINNAME",
                                                            "CLUSTERNAME", "TIMEOUT",  "EPOCH"};
constexpr std::array<std::string_view, 4> kRecordColumns = {"RECORDKEY", "DOMAINNAME", "CLUSTERNAME", "RECORDVALUE"};

struct TableShape {
  const std::string& name;
  const std::string& quoted;
  std::span<const std::string_view> columns;
};

std::string Joined(std::span<const std::string_view> columns) {
  std::string out;
  for (std::string_view c : columns) out += (out.empty() ? "" : ", ") + std::string(c);
  return out;
}

// The table's columns as the database reports them, or why it cannot be read (most likely: it
// does not exist). Leaves no transaction open: a failed statement aborts PostgreSQL's.
Result<std::vector<std::string>> ReadColumns(OdbcConnection& db, const TableShape& table) {
  Result<std::vector<std::string>> columns = Status::IOError("not read");
  if (auto probe = db.Prepare("SELECT * FROM " + table.quoted + " WHERE 1 = 0"); !probe.ok()) {
    columns = probe.status();
  } else if (Status run = (*probe)->Execute(); !run.ok()) {
    columns = run;
  } else {
    columns = (*probe)->ColumnNames();
  }
  (void)db.Rollback();
  return columns;
}

Status CheckColumns(const TableShape& table, const std::vector<std::string>& found) {
  for (std::string_view want : table.columns) {
    if (std::find(found.begin(), found.end(), want) == found.end()) {
      return Status::InvalidArgument("lease table " + table.name + " has no column " + std::string(want) +
                                     "; it must have exactly " + Joined(table.columns));
    }
  }
  for (const std::string& column : found) {
    if (std::find(table.columns.begin(), table.columns.end(), column) == table.columns.end()) {
      return Status::InvalidArgument("lease table " + table.name + " has column " + column +
                                     ", which it must not have; it must have exactly " + Joined(table.columns));
    }
  }
  return Status::Ok();
}

std::string InstalledDdlPath(JdbcDatabase database) {
  return std::string(kInstalledLeaseDdlDirectory) + "/" + std::string(ToString(database)) + ".ddl";
}

void ReplaceAll(std::string& text, std::string_view from, std::string_view to) {
  for (size_t at = 0; (at = text.find(from, at)) != std::string::npos; at += to.size())
    text.replace(at, from.size(), to);
}

// Only blank lines and "--" comments: what follows the last ';' of a file.
bool IsBlank(std::string_view piece) {
  size_t at = 0;
  while (at < piece.size()) {
    const size_t end = std::min(piece.find('\n', at), piece.size());
    const std::string_view line = piece.substr(at, end - at);
    const size_t first = line.find_first_not_of(" \t\r");
    if (first != std::string_view::npos && line.substr(first, 2) != "--") return false;
    at = end + 1;
  }
  return true;
}

// The shipped DDL's statements, placeholders filled. Drivers run one statement per call, so
// the file is cut at its semicolons (which the shipped files use for nothing else).
Result<std::vector<std::string>> DdlStatements(JdbcDatabase database, const LeaseTableNames& tables) {
  const auto file = std::find_if(std::begin(kLeaseDdlFiles), std::end(kLeaseDdlFiles),
                                 [&](const LeaseDdlFile& f) { return f.database == ToString(database); });
  if (file == std::end(kLeaseDdlFiles)) {
    return Status::NotSupported("no lease table DDL for database '" + std::string(ToString(database)) + "'");
  }
  std::string text(file->text);
  ReplaceAll(text, "${RECORDS_TABLE}", tables.quoted_records);
  ReplaceAll(text, "${TABLE}", tables.quoted_active);
  std::vector<std::string> statements;
  for (size_t at = 0; at < text.size();) {
    const size_t end = std::min(text.find(';', at), text.size());
    std::string piece = text.substr(at, end - at);
    if (!IsBlank(piece)) statements.push_back(std::move(piece));
    at = end + 1;
  }
  return statements;
}

Status CreateTables(OdbcConnection& db, JdbcDatabase database, const LeaseTableNames& tables) {
  Result<std::vector<std::string>> statements = DdlStatements(database, tables);
  if (!statements.ok()) return statements.status();
  for (const std::string& sql : *statements) {
    Status s = db.ExecuteDirect(sql, "creating lease table " + tables.active);
    if (!s.ok()) {
      (void)db.Rollback();
      return s;
    }
  }
  return db.Commit();
}

}  // namespace

Status EnsureLeaseTables(OdbcConnection& db, JdbcDatabase database, const LeaseTableNames& tables, bool create) {
  const std::array<TableShape, 2> shapes = {TableShape{tables.active, tables.quoted_active, kActiveColumns},
                                            TableShape{tables.records, tables.quoted_records, kRecordColumns}};
  std::vector<const TableShape*> missing;
  std::string why;
  for (const TableShape& shape : shapes) {
    Result<std::vector<std::string>> columns = ReadColumns(db, shape);
    if (columns.ok()) {
      HASTORE_RETURN_IF_ERROR(CheckColumns(shape, *columns));
    } else {
      missing.push_back(&shape);
      why = columns.status().message();
    }
  }
  if (missing.empty()) return Status::Ok();
  const std::string& name = missing.front()->name;
  if (!create) {
    return Status::NotFound("lease table " + name + " cannot be read (" + why + "); create it with " +
                            InstalledDdlPath(database) + " (${TABLE} = " + tables.quoted_active +
                            ", ${RECORDS_TABLE} = " + tables.quoted_records +
                            ") or set auto_migration_table_creation_policy = \"Always\"");
  }
  // Another server may be creating them at this moment and win: look again whatever happened.
  const Status created = CreateTables(db, database, tables);
  for (const TableShape* shape : missing) {
    Result<std::vector<std::string>> columns = ReadColumns(db, *shape);
    if (!columns.ok()) {
      return Status(StatusCode::kIOError, "lease table " + shape->name + " cannot be read (" +
                                              columns.status().message() + ") nor created (" +
                                              (created.ok() ? "created, yet not there" : created.message()) + ")");
    }
    HASTORE_RETURN_IF_ERROR(CheckColumns(*shape, *columns));
  }
  return Status::Ok();
}

}  // namespace hastore::ha
