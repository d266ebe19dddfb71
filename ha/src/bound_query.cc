#include "bound_query.h"

#include <optional>

namespace hastore::ha {

using jdbcstore::DatabaseLink;
using jdbcstore::OdbcStatement;

std::string ColumnReader::Bytes() {
  Result<std::string> value = statement_.GetBytes(++column_);
  if (value.ok() && status_.ok()) return std::move(value).value();
  if (status_.ok()) status_ = value.status();
  return {};
}

int64_t ColumnReader::Integer() {
  Result<int64_t> value = statement_.GetInt64(++column_);
  if (value.ok() && status_.ok()) return *value;
  if (status_.ok()) status_ = value.status();
  return 0;
}

Result<OdbcStatement*> Execute(DatabaseLink& link, const std::string& sql, std::initializer_list<SqlParam> params) {
  Result<OdbcStatement*> statement = link.Statement(sql);
  if (!statement.ok()) return statement;
  int index = 0;
  for (const SqlParam& p : params) {
    ++index;
    if (p.is_integer) {
      (*statement)->BindInt64(index, p.value);
    } else {
      (*statement)->BindBytes(index, p.bytes);
    }
  }
  HASTORE_RETURN_IF_ERROR((*statement)->Execute());
  return statement;
}

Status Query(DatabaseLink& link, const std::string& sql, std::initializer_list<SqlParam> params,
             const std::function<void(ColumnReader&)>& each) {
  Result<OdbcStatement*> statement = Execute(link, sql, params);
  if (!statement.ok()) return statement.status();
  Status status;
  while (status.ok()) {
    Result<bool> row = (*statement)->Fetch();
    if (!row.ok()) {
      status = row.status();
      break;
    }
    if (!*row) break;
    ColumnReader columns(**statement);
    each(columns);
    status = columns.status();
  }
  (*statement)->Reset();
  return status;
}

Result<int64_t> QueryInteger(DatabaseLink& link, const std::string& sql) {
  Result<OdbcStatement*> statement = link.Statement(sql);
  if (!statement.ok()) return statement.status();
  Result<std::optional<int64_t>> value = (*statement)->ExecuteScalar();
  if (!value.ok()) return value.status();
  if (!*value) return Status::Corruption(sql + " read no row");
  return **value;
}

}  // namespace hastore::ha
