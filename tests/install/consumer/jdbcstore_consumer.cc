// Uses hastore::jdbcstore alone: a connection string with its password redacted.
#include <hastore/jdbcstore/connection_string.h>
#include <hastore/jdbcstore/odbc.h>
#include <hastore/storage/names.h>

#include <cstdio>
#include <string>

int main() {
  const std::string shown = hastore::RedactConnectionString("Driver=SQLite3;Database=/tmp/x.db;Pwd=secret");
  if (shown.find("secret") != std::string::npos) return 1;
  hastore::Status s = hastore::ValidateName("table prefix", "");
  std::printf("ok jdbcstore: %s (SQL_NTS=%d); %s\n", shown.c_str(), static_cast<int>(SQL_NTS), s.ToString().c_str());
  return 0;
}
