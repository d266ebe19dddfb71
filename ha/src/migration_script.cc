#include "migration_script.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstring>
#include <string_view>
#include <vector>

extern char** environ;

namespace hastore::ha {

namespace {

// The agent's environment without any HASTORE_* variable the script is given, then those.
std::vector<std::string> ScriptEnvironment(const MigrationScriptEnv& env) {
  const std::pair<std::string_view, const std::string*> ours[] = {
      {"HASTORE_INSTANCE", &env.instance}, {"HASTORE_TARGET", &env.target}, {"HASTORE_FROM", &env.from},
      {"HASTORE_TO", &env.to},             {"HASTORE_SERVER", &env.server}};
  std::vector<std::string> out;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string_view entry(*e);
    bool replaced = false;
    for (const auto& [name, value] : ours) replaced |= entry.starts_with(std::string(name) + "=");
    if (!replaced) out.emplace_back(entry);
  }
  for (const auto& [name, value] : ours) out.push_back(std::string(name) + "=" + *value);
  return out;
}

}  // namespace

Result<std::unique_ptr<MigrationScript>> MigrationScript::Start(std::string what, const std::string& command,
                                                                const MigrationScriptEnv& env, uint64_t now_ms,
                                                                uint64_t timeout_ms) {
  std::vector<std::string> env_strings = ScriptEnvironment(env);
  std::vector<char*> envp;
  for (std::string& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::string sh = "/bin/sh", dash_c = "-c", script = command;
  char* argv[] = {sh.data(), dash_c.data(), script.data(), nullptr};

  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawnattr_init(&attr);
  // The agent's process blocks SIGTERM and SIGINT for sigwait (hastore agent), and a host may
  // ignore SIGPIPE; a child inherits both. The script gets an empty mask and those signals at
  // their defaults, so that it can be stopped like any other process.
  sigset_t no_signals, defaulted;
  sigemptyset(&no_signals);
  sigemptyset(&defaulted);
  for (int signal : {SIGTERM, SIGINT, SIGPIPE}) sigaddset(&defaulted, signal);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(&attr, 0);  // a group of its own, led by the shell
  posix_spawnattr_setsigmask(&attr, &no_signals);
  posix_spawnattr_setsigdefault(&attr, &defaulted);
  pid_t pid = 0;
  const int error = posix_spawn(&pid, argv[0], &actions, &attr, argv, envp.data());
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&actions);
  if (error != 0) return Status::IOError(what + " could not be started: " + std::strerror(error));
  return std::unique_ptr<MigrationScript>(new MigrationScript(std::move(what), pid, now_ms + timeout_ms, timeout_ms));
}

MigrationScript::~MigrationScript() {
  if (!reaped_) KillAndReap();
}

void MigrationScript::KillAndReap() {
  ::kill(-pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  reaped_ = true;
}

std::optional<Status> MigrationScript::Poll(uint64_t now_ms) {
  if (reaped_) return Status::IOError(what_ + " was already reaped");
  int status = 0;
  const pid_t done = ::waitpid(pid_, &status, WNOHANG);
  if (done == 0) {
    if (now_ms < deadline_ms_) return std::nullopt;
    KillAndReap();
    return Status::IOError(what_ + " did not finish within " + std::to_string(timeout_ms_) + " ms and was killed");
  }
  reaped_ = true;
  if (done < 0) return Status::IOError(what_ + ": waitpid failed: " + std::strerror(errno));
  // What the script left running in the background is its business (a daemon it started).
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return Status::Ok();
  if (WIFEXITED(status)) return Status::IOError(what_ + " failed with exit status " + std::to_string(WEXITSTATUS(status)));
  return Status::IOError(what_ + " was killed by signal " + std::to_string(WTERMSIG(status)));
}

}  // namespace hastore::ha
