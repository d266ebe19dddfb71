// Running the real `hastore` binary from a test, and telling whether it changed a directory.
#pragma once

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <filesystem>
#include <functional>
#include <map>
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

// Runs `hastore args...` with stdin from /dev/null; stdout and stderr go through files, so a
// large output cannot block the child on a full pipe.
inline CliResult RunCli(const std::vector<std::string>& args) {
  TempDir io;
  const std::string out_path = io.path() + "/out", err_path = io.path() + "/err";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<std::string> owned = {HASTORE_CLI};
  owned.insert(owned.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : owned) argv.push_back(a.data());
  argv.push_back(nullptr);
  CliResult r;
  pid_t pid = 0;
  const int spawn_error = posix_spawn(&pid, HASTORE_CLI, &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawn_error != 0) {
    r.err = "posix_spawn failed: " + std::to_string(spawn_error);
    return r;
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = ReadWholeFile(out_path);
  r.err = ReadWholeFile(err_path);
  return r;
}

// Every entry under dir with its size, modification time and content hash.
using DirectorySnapshot = std::map<std::string, std::tuple<uint64_t, int64_t, size_t>>;

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
