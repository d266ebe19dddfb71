// The PostgreSQL server of the test suite. tools/test.sh starts one on 127.0.0.1 in a temporary
// directory and exports:
//   HASTORE_TEST_POSTGRES   its ODBC connection string (psqlODBC, "PostgreSQL Unicode")
//   HASTORE_TEST_PGDATA     its data directory, and HASTORE_TEST_PGCTL, the pg_ctl to drive it
// A test that needs the server and finds none fails, with this message; it never skips.
#pragma once

#include <cstdlib>
#include <string>

namespace hastore::testing {

inline const char kNoPostgres[] =
    "HASTORE_TEST_POSTGRES is not set: PostgreSQL tests need the server that tools/test.sh starts";

inline std::string EnvOrEmpty(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// The connection string, or a string naming a server that does not exist (so the test fails
// with kNoPostgres in its connection error) when the variable is not set.
inline std::string PostgresConnectionString() {
  const std::string cs = EnvOrEmpty("HASTORE_TEST_POSTGRES");
  return cs.empty() ? std::string("Driver=PostgreSQL Unicode;Server=") + kNoPostgres : cs;
}

// Runs `<pgctl> <args>` (HASTORE_TEST_PGCTL: "stop -m immediate", "start -w -t 60"); its exit
// status.
inline int PgCtl(const std::string& pgctl, const std::string& args) {
  return std::system((pgctl + " " + args + " >/dev/null 2>&1").c_str());
}

// Stops and starts the suite's server through `pgctl`, and starts it again however the test
// ends (EnsureUp, the destructor), so later tests find it up.
class PostgresServerControl {
 public:
  explicit PostgresServerControl(std::string pgctl) : pgctl_(std::move(pgctl)) {}
  ~PostgresServerControl() { EnsureUp(); }
  PostgresServerControl(const PostgresServerControl&) = delete;
  PostgresServerControl& operator=(const PostgresServerControl&) = delete;

  // `pg_ctl stop -m immediate`, a crash of the server; pg_ctl's exit status.
  int Stop() {
    down_ = true;
    return PgCtl(pgctl_, "stop -m immediate");
  }
  // `pg_ctl start -w`; its exit status.
  int Start() {
    const int status = PgCtl(pgctl_, "start -w -t 60");
    down_ = status != 0;
    return status;
  }
  void EnsureUp() {
    if (down_) Start();
  }

 private:
  const std::string pgctl_;
  bool down_ = false;
};

}  // namespace hastore::testing
