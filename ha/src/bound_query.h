// Statements of the `database` lease authority as one call each: the statement prepared once
// per connection (DatabaseLink), its parameters bound in placeholder order, its rows read
// column after column with the first failure kept.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>

#include "hastore/jdbcstore/database_link.h"
#include "hastore/storage/status.h"

namespace hastore::ha {

// One parameter: bytes (every string: active_table_sql.h says why) or an integer. Strings are
// not copied: they must outlive the call they are passed to.
struct SqlParam {
  SqlParam(std::string_view b) : bytes(b) {}           // NOLINT: implicit, for parameter lists
  SqlParam(const std::string& b) : bytes(b) {}         // NOLINT
  SqlParam(int64_t v) : is_integer(true), value(v) {}  // NOLINT
  std::string_view bytes;
  bool is_integer = false;
  int64_t value = 0;
};

// The columns of the current row, read in order from the first; after a failure every read
// gives an empty value and status() says what failed.
class ColumnReader {
 public:
  explicit ColumnReader(jdbcstore::OdbcStatement& statement) : statement_(statement) {}
  std::string Bytes();
  int64_t Integer();
  const Status& status() const { return status_; }

 private:
  jdbcstore::OdbcStatement& statement_;
  int column_ = 0;
  Status status_;
};

// Executes `sql` with `params`; the statement is then the link's until its next use.
Result<jdbcstore::OdbcStatement*> Execute(jdbcstore::DatabaseLink& link, const std::string& sql,
                                          std::initializer_list<SqlParam> params);

// Executes `sql` and calls `each` for every row, then closes the result (SQLite cannot commit
// under an open one).
Status Query(jdbcstore::DatabaseLink& link, const std::string& sql, std::initializer_list<SqlParam> params,
             const std::function<void(ColumnReader&)>& each);

// The one integer `sql` reads; kCorruption when it reads no row.
Result<int64_t> QueryInteger(jdbcstore::DatabaseLink& link, const std::string& sql);

}  // namespace hastore::ha
