// The rows of an embedded SQLite database (a JDBC store's Directory=), as text a failing test
// can print: what a refused command on a JDBC store must leave as it was. Its files are no
// measure: SQLite writes its -wal and -shm files on a mere read.
#pragma once

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "hastore/jdbcstore/odbc.h"

namespace hastore::testing {

// "absent" without a database file; else each table's name and its rows, sorted, every
// column as its bytes in hex.
namespace sqlite_digest {

using Row = std::vector<std::string>;

// Every row `sql` selects, each column's bytes ("NULL" for a NULL); one row naming the error
// when it cannot run.
inline std::vector<Row> Select(jdbcstore::OdbcConnection& db, const std::string& sql) {
  auto st = db.Prepare(sql);
  if (!st.ok()) return {{"cannot prepare " + sql + ": " + st.status().ToString()}};
  auto columns = (*st)->ColumnNames();
  if (Status run = (*st)->Execute(); !run.ok() || !columns.ok()) return {{"cannot run " + sql}};
  std::vector<Row> rows;
  for (auto more = (*st)->Fetch(); more.ok() && *more; more = (*st)->Fetch()) {
    Row row;
    for (int c = 1; c <= static_cast<int>(columns->size()); ++c) {
      auto bytes = (*st)->GetBytes(c);
      row.push_back(bytes.ok() ? *bytes : "NULL");
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

inline std::string Hex(const std::string& bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char b : bytes) hex += {kHex[b >> 4], kHex[b & 15]};
  return hex;
}

}  // namespace sqlite_digest

// "absent" without a database file; else each table's name and its rows, sorted, every
// column's bytes in hex.
inline std::string DigestSqliteDatabase(const std::string& path) {
  if (!std::filesystem::exists(path)) return "absent\n";
  auto db = jdbcstore::OdbcConnection::Connect("Driver=SQLite3;Database=" + path);
  if (!db.ok()) return "cannot connect: " + db.status().ToString() + "\n";
  std::string digest;
  for (const auto& table : sqlite_digest::Select(**db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")) {
    digest += "table " + table.front() + "\n";
    std::vector<std::string> lines;
    for (const auto& row : sqlite_digest::Select(**db, "SELECT * FROM \"" + table.front() + "\"")) {
      std::string line = " ";
      for (const std::string& column : row) line += " " + sqlite_digest::Hex(column);
      lines.push_back(line);
    }
    std::sort(lines.begin(), lines.end());
    for (const std::string& line : lines) digest += line + "\n";
  }
  return digest;
}

}  // namespace hastore::testing
