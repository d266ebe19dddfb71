// ODBC connection strings ("Driver=SQLite3;Database=/d/h.db", "...;Pwd={a;b}"): Key=Value pairs
// separated by ';', where a value in braces runs to its closing brace, ';' included. Keys
// compare without case. One reader for the store (the SQLite file beside a lock), for error
// messages (the password hidden) and for the `jdbc:` store names of the `hastore` command.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "hastore/storage/status.h"

namespace hastore {

struct ConnectionStringPair {
  std::string key;
  std::string value;  // as written, braces kept
  bool has_value = false;  // "Key=" (empty value) rather than a bare "Key"
};

// Empty pieces (";;", a trailing ';') are dropped.
std::vector<ConnectionStringPair> SplitConnectionString(std::string_view text);
std::string JoinConnectionString(const std::vector<ConnectionStringPair>& pairs);

bool SameConnectionStringKey(std::string_view a, std::string_view b);
// The value of `key`, or "" ("Database" of "Driver=SQLite3;Database=/d/h.db" is "/d/h.db").
std::string ConnectionStringValue(std::string_view connection_string, std::string_view key);
// The string with the values of Pwd and Password replaced by ***.
std::string RedactConnectionString(std::string_view connection_string);

// A database password kept out of argv and out of configuration files, the way libpq's
// PGPASSFILE and PGPASSWORD do:
//   PwdFile=<path>          read the password from the file (mode 600 or stricter, one
//                           trailing newline dropped); refused together with Pwd=/Password=
//   HASTORE_JDBC_PASSWORD   taken when the string names a user (Uid=, User=, Username=) and
//                           no password at all
// (jdbc.password_file in a store configuration becomes PwdFile=.) psqlODBC, through libpq,
// also honours PGPASSFILE and PGPASSWORD by itself.
inline constexpr std::string_view kPasswordFileKey = "PwdFile";
inline constexpr const char* kPasswordEnvironmentVariable = "HASTORE_JDBC_PASSWORD";

// `connection_string` with PwdFile=<path> replaced by Pwd={password}, or Pwd={password} of the
// environment added: the string for SQLDriverConnect, never for a message or a log. Errors
// name the file, never the password.
Result<std::string> WithPassword(std::string_view connection_string);
// The same, with the file system and the environment given (the pure part, for tests):
// read_file returns a password file's content; env_password is the variable's value or null.
Result<std::string> WithPassword(std::string_view connection_string,
                                 const std::function<Result<std::string>(const std::string& path)>& read_file,
                                 const char* env_password);
// A value in braces, '}' doubled, so that ';' and '=' in it are taken as they are.
std::string BracedConnectionStringValue(std::string_view value);
// A value as written (braces kept) without its braces, '}}' read as '}'.
std::string UnbracedConnectionStringValue(std::string_view value);

}  // namespace hastore
