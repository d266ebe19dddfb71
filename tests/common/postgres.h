// The PostgreSQL server of the test suite. tools/test.sh starts one on 127.0.0.1 in a temporary
// directory and exports:
//   HASTORE_TEST_POSTGRES   its ODBC connection string (psqlODBC, "PostgreSQL Unicode")
//   HASTORE_TEST_PGDATA     its data directory, and HASTORE_TEST_PGCTL, the pg_ctl to drive it
// A test that needs the server and finds none fails, with this message; it never skips.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

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

// Stops and starts the suite's server through `pgctl`, or pauses it, and brings it back however
// the test ends (EnsureUp, the destructor), so later tests find it up.
class PostgresServerControl {
 public:
  explicit PostgresServerControl(std::string pgctl) : pgctl_(std::move(pgctl)) {}
  ~PostgresServerControl() {
    Resume();
    EnsureUp();
  }
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

  // SIGSTOP to the server's postmaster (read from <pgdata>/postmaster.pid) and then to every
  // process it started: a database that hangs rather than refuses. Connections stay open and
  // new ones are accepted by the kernel, but nothing answers. false if the server is not found.
  bool Pause(const std::string& pgdata) {
    std::ifstream pid_file(pgdata + "/postmaster.pid");
    pid_t postmaster = 0;
    if (!(pid_file >> postmaster) || postmaster <= 0) return false;
    if (::kill(postmaster, SIGSTOP) != 0) return false;  // first: it starts no backend while we look
    paused_ = {postmaster};
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
      const std::string name = entry.path().filename();
      if (name.find_first_not_of("0123456789") != std::string::npos) continue;
      std::ifstream stat(entry.path() / "stat");
      std::string line;
      if (!std::getline(stat, line)) continue;
      // "pid (comm) state ppid ...": comm may hold spaces, so read after its last ')'.
      std::istringstream rest(line.substr(line.rfind(')') + 1));
      char state = 0;
      pid_t ppid = 0;
      if (!(rest >> state >> ppid) || ppid != postmaster) continue;
      const pid_t child = static_cast<pid_t>(std::stol(name));
      if (::kill(child, SIGSTOP) == 0) paused_.push_back(child);
    }
    return true;
  }
  // SIGCONT to what Pause stopped, children first.
  void Resume() {
    for (auto it = paused_.rbegin(); it != paused_.rend(); ++it) (void)::kill(*it, SIGCONT);
    paused_.clear();
  }

 private:
  const std::string pgctl_;
  bool down_ = false;
  std::vector<pid_t> paused_;  // the postmaster first
};

}  // namespace hastore::testing
