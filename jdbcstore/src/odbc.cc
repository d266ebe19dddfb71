#include "hastore/jdbcstore/odbc.h"

#include "hastore/jdbcstore/connection_string.h"

#include <algorithm>
#include <cctype>
#include <mutex>

namespace hastore::jdbcstore {

namespace {

bool Succeeded(SQLRETURN rc) { return rc == SQL_SUCCESS || rc == SQL_SUCCESS_WITH_INFO; }

// "<doing>: SQLSTATE <state> <driver's text>", from the handle's first diagnostic record.
Status OdbcError(SQLSMALLINT type, SQLHANDLE handle, std::string_view doing) {
  SQLCHAR state[6] = {0};
  SQLINTEGER native = 0;
  SQLCHAR text[1024] = {0};
  SQLSMALLINT len = 0;
  std::string msg(doing);
  if (Succeeded(SQLGetDiagRec(type, handle, 1, state, &native, text, sizeof text, &len))) {
    msg += ": SQLSTATE " + std::string(reinterpret_cast<char*>(state)) + " " + reinterpret_cast<char*>(text);
  } else {
    msg += ": ODBC error";
  }
  return Status::IOError(std::move(msg));
}

// One ODBC 3 environment for the process, made on first use and kept until exit.
Result<SQLHENV> Environment() {
  static SQLHENV env = SQL_NULL_HENV;
  static Status error;
  static std::once_flag once;
  std::call_once(once, [] {
    if (!Succeeded(SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env))) {
      error = Status::IOError("cannot allocate an ODBC environment (is unixODBC installed?)");
      return;
    }
    SQLRETURN rc = SQLSetEnvAttr(env, SQL_ATTR_ODBC_VERSION, reinterpret_cast<SQLPOINTER>(SQL_OV_ODBC3), 0);
    if (!Succeeded(rc)) error = OdbcError(SQL_HANDLE_ENV, env, "setting ODBC version 3");
  });
  if (!error.ok()) return error;
  return env;
}

}  // namespace

// ---- connection -------------------------------------------------------------------------------

Result<std::unique_ptr<OdbcConnection>> OdbcConnection::Connect(const std::string& connection_string) {
  Result<SQLHENV> env = Environment();
  if (!env.ok()) return env.status();
  std::unique_ptr<OdbcConnection> c(new OdbcConnection());
  if (!Succeeded(SQLAllocHandle(SQL_HANDLE_DBC, *env, &c->dbc_))) {
    return OdbcError(SQL_HANDLE_ENV, *env, "allocating an ODBC connection");
  }
  // The password (from PwdFile= or the environment) lives only in `with_password`, which no
  // message below shows.
  Result<std::string> with_password = WithPassword(connection_string);
  if (!with_password.ok()) {
    return Status(with_password.status().code(),
                  "connecting to " + RedactConnectionString(connection_string) + ": " + with_password.status().message());
  }
  SQLRETURN rc = SQLDriverConnect(c->dbc_, nullptr, reinterpret_cast<SQLCHAR*>(with_password->data()), SQL_NTS, nullptr, 0,
                                  nullptr, SQL_DRIVER_NOPROMPT);
  if (!Succeeded(rc)) return OdbcError(SQL_HANDLE_DBC, c->dbc_, "connecting to " + RedactConnectionString(connection_string));
  c->connected_ = true;
  rc = SQLSetConnectAttr(c->dbc_, SQL_ATTR_AUTOCOMMIT, reinterpret_cast<SQLPOINTER>(SQL_AUTOCOMMIT_OFF), 0);
  if (!Succeeded(rc)) return OdbcError(SQL_HANDLE_DBC, c->dbc_, "turning autocommit off");
  return c;
}

OdbcConnection::~OdbcConnection() {
  if (dbc_ == SQL_NULL_HDBC) return;
  if (connected_) {
    SQLEndTran(SQL_HANDLE_DBC, dbc_, SQL_ROLLBACK);
    SQLDisconnect(dbc_);
  }
  SQLFreeHandle(SQL_HANDLE_DBC, dbc_);
}

Result<std::unique_ptr<OdbcStatement>> OdbcConnection::Prepare(std::string_view sql) {
  SQLHSTMT stmt = SQL_NULL_HSTMT;
  if (!Succeeded(SQLAllocHandle(SQL_HANDLE_STMT, dbc_, &stmt))) {
    return OdbcError(SQL_HANDLE_DBC, dbc_, "allocating a statement for " + std::string(sql));
  }
  std::unique_ptr<OdbcStatement> s(new OdbcStatement(stmt, std::string(sql)));
  SQLRETURN rc = SQLPrepare(stmt, reinterpret_cast<SQLCHAR*>(s->sql_.data()), static_cast<SQLINTEGER>(s->sql_.size()));
  HASTORE_RETURN_IF_ERROR(s->Check(rc, "preparing"));
  return s;
}

Status OdbcConnection::ExecuteDirect(std::string_view sql, std::string_view what) {
  SQLHSTMT stmt = SQL_NULL_HSTMT;
  if (!Succeeded(SQLAllocHandle(SQL_HANDLE_STMT, dbc_, &stmt))) return OdbcError(SQL_HANDLE_DBC, dbc_, what);
  std::string text(sql);
  SQLRETURN rc = SQLExecDirect(stmt, reinterpret_cast<SQLCHAR*>(text.data()), static_cast<SQLINTEGER>(text.size()));
  Status s = Succeeded(rc) || rc == SQL_NO_DATA ? Status::Ok() : OdbcError(SQL_HANDLE_STMT, stmt, what);
  SQLFreeHandle(SQL_HANDLE_STMT, stmt);
  return s;
}

Status OdbcConnection::Commit() {
  return Succeeded(SQLEndTran(SQL_HANDLE_DBC, dbc_, SQL_COMMIT)) ? Status::Ok()
                                                                 : OdbcError(SQL_HANDLE_DBC, dbc_, "committing");
}

Status OdbcConnection::SetAutocommit(bool on) {
  const auto mode = reinterpret_cast<SQLPOINTER>(static_cast<uintptr_t>(on ? SQL_AUTOCOMMIT_ON : SQL_AUTOCOMMIT_OFF));
  return Succeeded(SQLSetConnectAttr(dbc_, SQL_ATTR_AUTOCOMMIT, mode, 0))
             ? Status::Ok()
             : OdbcError(SQL_HANDLE_DBC, dbc_, on ? "turning autocommit on" : "turning autocommit off");
}

Status OdbcConnection::Rollback() {
  return Succeeded(SQLEndTran(SQL_HANDLE_DBC, dbc_, SQL_ROLLBACK)) ? Status::Ok()
                                                                   : OdbcError(SQL_HANDLE_DBC, dbc_, "rolling back");
}

Result<std::string> OdbcConnection::DatabaseProductName() {
  char name[256] = {0};
  SQLSMALLINT len = 0;
  if (!Succeeded(SQLGetInfo(dbc_, SQL_DBMS_NAME, name, sizeof name, &len))) {
    return OdbcError(SQL_HANDLE_DBC, dbc_, "asking the database's name");
  }
  return std::string(name);
}

// ---- statement --------------------------------------------------------------------------------

namespace {

// ODBC takes input buffers as non-const pointers; it does not write to them. An empty value
// still needs a valid address.
SQLPOINTER BytesPointer(std::string_view bytes) {
  static char empty = 0;
  return bytes.empty() ? &empty : const_cast<char*>(bytes.data());
}

}  // namespace

OdbcStatement::~OdbcStatement() {
  if (stmt_ != SQL_NULL_HSTMT) SQLFreeHandle(SQL_HANDLE_STMT, stmt_);
}

Status OdbcStatement::Check(SQLRETURN rc, std::string_view doing, int number) {
  if (Succeeded(rc)) return Status::Ok();
  std::string what(doing);
  if (number >= 0) what += " " + std::to_string(number) + " of";
  return OdbcError(SQL_HANDLE_STMT, stmt_, what + " " + sql_);
}

void OdbcStatement::BindInt64(int index, int64_t value) {
  if (params_.size() < static_cast<size_t>(index)) params_.resize(index);
  params_[index - 1] = Param{.c_type = SQL_C_SBIGINT, .value = value, .bytes = {}, .indicator = 0};
}

void OdbcStatement::BindBytes(int index, std::string_view bytes) {
  if (params_.size() < static_cast<size_t>(index)) params_.resize(index);
  params_[index - 1] =
      Param{.c_type = SQL_C_BINARY, .value = 0, .bytes = bytes, .indicator = static_cast<SQLLEN>(bytes.size())};
}

Status OdbcStatement::Execute() {
  for (size_t i = 0; i < params_.size(); ++i) {
    if (!params_[i]) return Status::InvalidArgument("parameter " + std::to_string(i + 1) + " of " + sql_ + " is not bound");
    Param& p = *params_[i];
    const bool binary = p.c_type == SQL_C_BINARY;
    SQLRETURN rc = binary ? SQLBindParameter(stmt_, static_cast<SQLUSMALLINT>(i + 1), SQL_PARAM_INPUT, SQL_C_BINARY,
                                             SQL_LONGVARBINARY, std::max<SQLULEN>(1, p.bytes.size()), 0, BytesPointer(p.bytes),
                                             static_cast<SQLLEN>(p.bytes.size()), &p.indicator)
                          : SQLBindParameter(stmt_, static_cast<SQLUSMALLINT>(i + 1), SQL_PARAM_INPUT, SQL_C_SBIGINT,
                                             SQL_BIGINT, 0, 0, &p.value, 0, &p.indicator);
    HASTORE_RETURN_IF_ERROR(Check(rc, "binding parameter", static_cast<int>(i + 1)));
  }
  SQLRETURN rc = SQLExecute(stmt_);
  if (rc == SQL_NO_DATA) return Status::Ok();  // an UPDATE or DELETE that matched no row
  return Check(rc, "executing");
}

Result<std::optional<int64_t>> OdbcStatement::ExecuteScalar() {
  HASTORE_RETURN_IF_ERROR(Execute());
  Result<bool> row = Fetch();
  if (!row.ok()) return row.status();
  std::optional<int64_t> value;
  if (*row) {
    Result<int64_t> got = GetInt64(1);
    if (!got.ok()) return got.status();
    value = *got;
  }
  Reset();
  return value;
}

Status OdbcStatement::ExecuteInt64Rows(size_t columns, std::span<const int64_t> values) {
  const size_t rows = columns == 0 ? 0 : values.size() / columns;
  if (rows == 0 || rows * columns != values.size()) {
    return Status::InvalidArgument(std::to_string(values.size()) + " values are not rows of " + std::to_string(columns) +
                                   " parameters of " + sql_);
  }
  params_.clear();
  std::vector<int64_t> by_column(values.size());  // ODBC's column-wise binding: one array per parameter
  for (size_t r = 0; r < rows; ++r) {
    for (size_t c = 0; c < columns; ++c) by_column[c * rows + r] = values[r * columns + c];
  }
  std::vector<SQLLEN> indicators(rows, 0);  // read only: shared by every parameter
  std::vector<SQLUSMALLINT> statuses(rows, SQL_PARAM_UNUSED);
  auto set = [&](SQLINTEGER attribute, SQLPOINTER value) { return SQLSetStmtAttr(stmt_, attribute, value, 0); };
  Status s = Check(set(SQL_ATTR_PARAM_BIND_TYPE, reinterpret_cast<SQLPOINTER>(SQL_PARAM_BIND_BY_COLUMN)), "array binding");
  if (s.ok()) s = Check(set(SQL_ATTR_PARAMSET_SIZE, reinterpret_cast<SQLPOINTER>(rows)), "array binding");
  if (s.ok()) s = Check(set(SQL_ATTR_PARAM_STATUS_PTR, statuses.data()), "array binding");
  for (size_t c = 0; s.ok() && c < columns; ++c) {
    s = Check(SQLBindParameter(stmt_, static_cast<SQLUSMALLINT>(c + 1), SQL_PARAM_INPUT, SQL_C_SBIGINT, SQL_BIGINT, 0, 0,
                               &by_column[c * rows], 0, indicators.data()),
              "binding parameter", static_cast<int>(c + 1));
  }
  if (s.ok()) {
    const SQLRETURN rc = SQLExecute(stmt_);
    if (rc != SQL_NO_DATA) s = Check(rc, "executing");  // SQL_NO_DATA: no row matched
  }
  for (size_t r = 0; s.ok() && r < rows; ++r) {
    if (statuses[r] == SQL_PARAM_ERROR) {
      s = OdbcError(SQL_HANDLE_STMT, stmt_, "row " + std::to_string(r + 1) + " of an array execution of " + sql_);
    }
  }
  // Back to one row per execution, with no array left bound.
  (void)set(SQL_ATTR_PARAM_STATUS_PTR, nullptr);
  (void)set(SQL_ATTR_PARAMSET_SIZE, reinterpret_cast<SQLPOINTER>(1));
  SQLFreeStmt(stmt_, SQL_RESET_PARAMS);
  return s;
}

Result<int64_t> OdbcStatement::RowCount() {
  SQLLEN rows = 0;
  HASTORE_RETURN_IF_ERROR(Check(SQLRowCount(stmt_, &rows), "counting the rows changed by"));
  return static_cast<int64_t>(rows);
}

Result<bool> OdbcStatement::Fetch() {
  SQLRETURN rc = SQLFetch(stmt_);
  if (rc == SQL_NO_DATA) return false;
  HASTORE_RETURN_IF_ERROR(Check(rc, "fetching from"));
  return true;
}

Result<int64_t> OdbcStatement::GetInt64(int column) {
  int64_t value = 0;
  SQLLEN indicator = 0;
  SQLRETURN rc = SQLGetData(stmt_, static_cast<SQLUSMALLINT>(column), SQL_C_SBIGINT, &value, sizeof value, &indicator);
  HASTORE_RETURN_IF_ERROR(Check(rc, "reading column", column));
  if (indicator == SQL_NULL_DATA) return Status::Corruption("column " + std::to_string(column) + " of " + sql_ + " is NULL");
  return value;
}

Result<std::string> OdbcStatement::GetBytes(int column) {
  std::string out;
  char buf[64 * 1024];
  for (;;) {
    SQLLEN indicator = 0;
    SQLRETURN rc = SQLGetData(stmt_, static_cast<SQLUSMALLINT>(column), SQL_C_BINARY, buf, sizeof buf, &indicator);
    if (rc == SQL_NO_DATA) break;  // every part has been read
    HASTORE_RETURN_IF_ERROR(Check(rc, "reading column", column));
    if (indicator == SQL_NULL_DATA) return out;  // NULL reads as no bytes
    const size_t got = indicator == SQL_NO_TOTAL || indicator > static_cast<SQLLEN>(sizeof buf)
                           ? sizeof buf
                           : static_cast<size_t>(indicator);
    out.append(buf, got);
    if (rc == SQL_SUCCESS) break;  // that was the last part
  }
  return out;
}

void OdbcStatement::Reset() {
  SQLFreeStmt(stmt_, SQL_CLOSE);
  SQLFreeStmt(stmt_, SQL_RESET_PARAMS);
  params_.clear();
}

Result<std::vector<std::string>> OdbcStatement::ColumnNames() {
  SQLSMALLINT count = 0;
  HASTORE_RETURN_IF_ERROR(Check(SQLNumResultCols(stmt_, &count), "counting the columns of"));
  std::vector<std::string> names;
  for (SQLSMALLINT c = 1; c <= count; ++c) {
    SQLCHAR name[256] = {0};
    SQLSMALLINT len = 0, type = 0, digits = 0, nullable = 0;
    SQLULEN size = 0;
    HASTORE_RETURN_IF_ERROR(
        Check(SQLDescribeCol(stmt_, c, name, sizeof name, &len, &type, &size, &digits, &nullable), "describing"));
    std::string n(reinterpret_cast<char*>(name));
    for (char& ch : n) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    names.push_back(std::move(n));
  }
  return names;
}

}  // namespace hastore::jdbcstore
