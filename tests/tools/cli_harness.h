// Running the real `hastore` binary from a test, and telling whether it changed a directory.
#pragma once

#include <fcntl.h>
#include <stdlib.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include <filesystem>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "common/temp_dir.h"
#include "common/whole_file.h"

extern char** environ;

namespace hastore::testing {

struct CliResult {
  int exit_status = -1;  // 128 + signal when killed
  std::string out;
  std::string err;
};

// Where a run's stdout and stderr go other than to the files RunCli reads back.
struct CliOutput {
  std::string stdout_path;       // e.g. /dev/full; CliResult::out stays empty
  bool stderr_terminal = false;  // a pseudo-terminal, as for someone at a shell
  // A command line that runs `hastore args...` as its last words: timeout, setpriv, ...
  std::vector<std::string> wrapper;
};

inline CliOutput StdoutTo(std::string path) {
  CliOutput o;
  o.stdout_path = std::move(path);
  return o;
}
inline CliOutput StderrOnATerminal() {
  CliOutput o;
  o.stderr_terminal = true;
  return o;
}

// Runs `hastore args...` with stdin from /dev/null; stdout and stderr go through files (or a
// pseudo-terminal, read while the command runs), so a large output cannot block the child.
inline CliResult RunCli(const std::vector<std::string>& args, const CliOutput& output = {}) {
  TempDir io;
  const std::string out_path = output.stdout_path.empty() ? io.path() + "/out" : output.stdout_path;
  const std::string err_path = io.path() + "/err";
  CliResult r;
  int terminal = -1;  // the pseudo-terminal's master side
  std::string terminal_name;
  if (output.stderr_terminal) {
    terminal = ::posix_openpt(O_RDWR | O_NOCTTY);
    if (terminal < 0 || ::grantpt(terminal) != 0 || ::unlockpt(terminal) != 0 || ::ptsname(terminal) == nullptr) {
      r.err = "no pseudo-terminal";
      return r;
    }
    terminal_name = ::ptsname(terminal);
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (terminal >= 0) {
    posix_spawn_file_actions_addopen(&actions, 2, terminal_name.c_str(), O_RDWR | O_NOCTTY, 0);
    posix_spawn_file_actions_addclose(&actions, terminal);
  } else {
    posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  }
  std::vector<std::string> owned = output.wrapper;
  owned.push_back(HASTORE_CLI);
  owned.insert(owned.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : owned) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int spawn_error = posix_spawn(&pid, owned.front().c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawn_error != 0) {
    if (terminal >= 0) ::close(terminal);
    r.err = "posix_spawn failed: " + std::to_string(spawn_error);
    return r;
  }
  if (terminal >= 0) {  // until the child's end closes: read fails with EIO
    char buf[4096];
    for (ssize_t n; (n = ::read(terminal, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR);) {
      if (n > 0) r.err.append(buf, static_cast<size_t>(n));
    }
    ::close(terminal);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (output.stdout_path.empty()) r.out = ReadWholeFile(out_path);
  if (terminal < 0) r.err = ReadWholeFile(err_path);
  return r;
}

// Every entry under dir with its size, modification time and content hash.
using DirectorySnapshot = std::map<std::string, std::tuple<uint64_t, int64_t, size_t>>;

// The lines of a command's output, without their newlines.
inline std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

inline DirectorySnapshot SnapshotDirectory(const std::string& dir) {
  namespace fs = std::filesystem;
  DirectorySnapshot snap;
  for (const fs::directory_entry& e : fs::recursive_directory_iterator(dir)) {
    const bool regular = e.is_regular_file();
    snap[e.path().string()] = {regular ? e.file_size() : 0, e.last_write_time().time_since_epoch().count(),
                               regular ? std::hash<std::string>{}(ReadWholeFile(e.path().string())) : 0};
  }
  return snap;
}

}  // namespace hastore::testing
