// The ODBC seam, shared by the JDBC store and database leasing (ha/).
// RAII over unixODBC: an environment, a connection and statements with bound parameters.
// Every failure is a Status whose message carries what was being done (the statement, the
// table), the SQLSTATE and the driver's diagnostic. Record bytes and connection names travel
// only as bound parameters, never inside SQL text.
//
// Thread safety: an OdbcConnection and its statements belong to one thread at a time.
#pragma once

#include <sql.h>
#include <sqlext.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hastore/storage/status.h"

namespace hastore::jdbcstore {

class OdbcStatement;

class OdbcConnection {
 public:
  // Connects with an ODBC connection string ("Driver=SQLite3;Database=/path/x.db", or
  // "Driver=PostgreSQL Unicode;Server=127.0.0.1;Port=5432;Database=d;Uid=u;PwdFile=/etc/pw").
  // PwdFile= and HASTORE_JDBC_PASSWORD are turned into Pwd= here, for the driver only
  // (connection_string.h: WithPassword); errors show the string as given, Pwd= masked.
  // Autocommit is off: every change is inside an explicit transaction.
  static Result<std::unique_ptr<OdbcConnection>> Connect(const std::string& connection_string);
  ~OdbcConnection();
  OdbcConnection(const OdbcConnection&) = delete;
  OdbcConnection& operator=(const OdbcConnection&) = delete;

  Result<std::unique_ptr<OdbcStatement>> Prepare(std::string_view sql);
  // Runs SQL text with no parameters (DDL); `what` names it in errors.
  Status ExecuteDirect(std::string_view sql, std::string_view what);
  Status Commit();
  Status Rollback();
  // With autocommit on, each statement is a transaction of its own, committed when it returns.
  Status SetAutocommit(bool on);
  // The driver's name for the database ("SQLite", "PostgreSQL").
  Result<std::string> DatabaseProductName();

 private:
  OdbcConnection() = default;
  SQLHDBC dbc_ = SQL_NULL_HDBC;
  bool connected_ = false;
};

class OdbcStatement {
 public:
  ~OdbcStatement();
  OdbcStatement(const OdbcStatement&) = delete;
  OdbcStatement& operator=(const OdbcStatement&) = delete;

  // Parameters, numbered from 1, bound until the next Reset(). Integers are copied; bytes (any,
  // NUL included) are not: they must stay valid until Execute() returns, because a group's
  // records are megabytes that the driver copies once more anyway.
  void BindInt64(int index, int64_t value);
  void BindBytes(int index, std::string_view bytes);
  // Executes with the bound parameters; the result set (if any) is then read with Fetch.
  Status Execute();
  // Array binding: executes the statement once per row of `values` (row-major, `columns`
  // integers per row, bound to parameters 1..columns), as one SQLExecute with
  // SQL_ATTR_PARAMSET_SIZE rows; the driver sends them together where it can. Fails if a row
  // fails. Parameters bound with Bind* are forgotten.
  Status ExecuteInt64Rows(size_t columns, std::span<const int64_t> values);
  // Executes, reads column 1 of the first row as an integer (nullopt: no row) and resets the
  // statement: for the one-value queries (an epoch, a lock taken or not, a count).
  Result<std::optional<int64_t>> ExecuteScalar();
  // Rows changed by the last INSERT, UPDATE or DELETE.
  Result<int64_t> RowCount();
  // true: a row is current; false: no more rows.
  Result<bool> Fetch();
  Result<int64_t> GetInt64(int column);  // numbered from 1; NULL is an error
  Result<std::string> GetBytes(int column);
  // Closes the result set and forgets the bound parameters, ready to execute again.
  void Reset();
  // Names of the result set's columns (after Execute), upper-cased.
  Result<std::vector<std::string>> ColumnNames();

 private:
  friend class OdbcConnection;
  OdbcStatement(SQLHSTMT stmt, std::string sql) : stmt_(stmt), sql_(std::move(sql)) {}
  // The message (built only on failure) says "<doing> [<number> of] <sql>".
  Status Check(SQLRETURN rc, std::string_view doing, int number = -1);

  struct Param {
    SQLSMALLINT c_type;  // SQL_C_SBIGINT (value) or SQL_C_BINARY (bytes)
    int64_t value = 0;
    std::string_view bytes;
    SQLLEN indicator = 0;
  };
  SQLHSTMT stmt_;
  std::string sql_;
  // Bound by Execute, which passes their addresses to the driver; they stay put until Reset.
  std::vector<std::optional<Param>> params_;
};

}  // namespace hastore::jdbcstore
