// ODBC connection strings ("Driver=SQLite3;Database=/d/h.db", "...;Pwd={a;b}"): Key=Value pairs
// separated by ';', where a value in braces runs to its closing brace, ';' included. Keys
// compare without case. One reader for the store (the SQLite file beside a lock), for error
// messages (the password hidden) and for the `jdbc:` store names of the `hastore` command.
#pragma once

#include <string>
#include <string_view>
#include <vector>

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

}  // namespace hastore
