#include "agent_processes.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <thread>
#include <vector>

extern char** environ;

namespace hastore::tools {

AgentProcesses::AgentProcesses(std::string exe, std::string dir, std::string config)
    : exe_(std::move(exe)), dir_(std::move(dir)), config_(std::move(config)) {}

AgentProcesses::~AgentProcesses() {
  for (const auto& [server, run] : runs_) Kill(server);
}

Status AgentProcesses::Start(const std::string& server, double rate) {
  if (!ExitStatus(server)) return Status::InvalidArgument("the agent of " + server + " is already running");
  std::vector<std::string> args = {exe_,       "agent",          "--config", config_,
                                   "--server", server,           "--produce", std::to_string(rate),
                                   "--journal", JournalPath(server)};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  const std::string log = LogPath(server);
  posix_spawn_file_actions_addopen(&actions, 2, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  pid_t pid = 0;
  const int error = posix_spawn(&pid, exe_.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (error != 0) return Status::IOError("cannot start the agent of " + server + " (" + exe_ + "): errno " + std::to_string(error));
  runs_[server].pid = pid;
  return Status::Ok();
}

void AgentProcesses::Signal(const std::string& server, int signal) {
  auto it = runs_.find(server);
  if (it != runs_.end() && it->second.pid > 0) ::kill(it->second.pid, signal);
}

void AgentProcesses::Kill(const std::string& server) {
  auto it = runs_.find(server);
  if (it == runs_.end() || it->second.pid <= 0) return;
  ::kill(it->second.pid, SIGKILL);
  Reaped(it->second, SIGKILL);
}

int AgentProcesses::Terminate(const std::string& server) {
  auto it = runs_.find(server);
  if (it == runs_.end() || it->second.pid <= 0) return -1;
  Send(it->second, SIGTERM);
  return Reaped(it->second, SIGTERM);
}

void AgentProcesses::TerminateAll() {
  for (auto& [server, run] : runs_) {
    if (run.pid > 0) Send(run, SIGTERM);
  }
  for (auto& [server, run] : runs_) {
    if (run.pid > 0) Reaped(run, SIGTERM);
  }
}

std::optional<int> AgentProcesses::ExitStatus(const std::string& server) {
  auto it = runs_.find(server);
  if (it == runs_.end()) return -1;
  Run& run = it->second;
  if (run.pid > 0) {
    int status = 0;
    const pid_t got = ::waitpid(run.pid, &status, WNOHANG);
    if (got == 0) return std::nullopt;
    run.exit_status = got == run.pid ? Decode(status) : -1;  // -1: not ours to wait for (ECHILD)
    run.pid = 0;
  }
  return run.exit_status;
}

std::map<std::string, std::string> AgentProcesses::JournalPaths() const {
  std::map<std::string, std::string> out;
  for (const auto& [server, run] : runs_) out[server] = JournalPath(server);
  return out;
}

int AgentProcesses::Decode(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status); }

void AgentProcesses::Send(const Run& run, int signal) {
  ::kill(run.pid, SIGCONT);
  ::kill(run.pid, signal);
}

int AgentProcesses::Reaped(Run& run, int signal) {
  run.exit_status = signal == SIGKILL ? Reap(run.pid) : ReapWithin(run.pid, kShutdownBound);
  run.pid = 0;
  return run.exit_status;
}

int AgentProcesses::Reap(pid_t pid) {
  int status = 0;
  pid_t got;
  while ((got = ::waitpid(pid, &status, 0)) < 0 && errno == EINTR) {
  }
  return got == pid ? Decode(status) : -1;
}

int AgentProcesses::ReapWithin(pid_t pid, std::chrono::milliseconds bound) {
  const auto until = std::chrono::steady_clock::now() + bound;
  int status = 0;
  while (std::chrono::steady_clock::now() < until) {
    const pid_t got = ::waitpid(pid, &status, WNOHANG);
    if (got == pid) return Decode(status);
    if (got < 0 && errno != EINTR) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid, SIGKILL);  // hung in its shutdown: the caller sees 128 + 9
  return Reap(pid);
}

std::map<std::string, std::string> LiveOwners(ha::LeaseAuthority& authority) {
  std::map<std::string, std::string> out;
  Result<std::vector<ha::LeaseView>> leases = authority.List(ha::kInstanceLeasePrefix);
  if (!leases.ok()) return out;
  for (const ha::LeaseView& l : *leases) {
    std::optional<std::string> instance = ha::InstanceOfLease(l.name);
    if (l.held() && instance) out[*instance] = l.holder.server;
  }
  return out;
}

}  // namespace hastore::tools
