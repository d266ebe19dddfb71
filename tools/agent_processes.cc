#include "agent_processes.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <thread>

extern char** environ;

namespace hastore::tools {

AgentProcesses::AgentProcesses(std::string exe, std::string dir, std::string config)
    : exe_(std::move(exe)), dir_(std::move(dir)), config_(std::move(config)) {}

AgentProcesses::~AgentProcesses() {
  for (auto& [server, pid] : pids_) {
    if (pid <= 0) continue;
    ::kill(pid, SIGCONT);
    ::kill(pid, SIGKILL);
    Reap(pid);
  }
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
  pids_[server] = pid;
  return Status::Ok();
}

void AgentProcesses::Signal(const std::string& server, int signal) {
  auto it = pids_.find(server);
  if (it != pids_.end() && it->second > 0) ::kill(it->second, signal);
}

void AgentProcesses::Kill(const std::string& server) {
  auto it = pids_.find(server);
  if (it == pids_.end() || it->second <= 0) return;
  ::kill(it->second, SIGKILL);
  exit_status_[server] = Reap(it->second);
  it->second = 0;
}

int AgentProcesses::Terminate(const std::string& server) {
  auto it = pids_.find(server);
  if (it == pids_.end() || it->second <= 0) return -1;
  ::kill(it->second, SIGCONT);
  ::kill(it->second, SIGTERM);
  const int status = ReapWithin(it->second, kShutdownBound);
  it->second = 0;
  exit_status_[server] = status;
  return status;
}

void AgentProcesses::TerminateAll() {
  for (auto& [server, pid] : pids_) {
    if (pid <= 0) continue;
    ::kill(pid, SIGCONT);
    ::kill(pid, SIGTERM);
  }
  for (auto& [server, pid] : pids_) {
    if (pid > 0) exit_status_[server] = ReapWithin(pid, kShutdownBound);
    pid = 0;
  }
}

std::optional<int> AgentProcesses::ExitStatus(const std::string& server) {
  auto it = pids_.find(server);
  if (it == pids_.end()) return -1;
  if (it->second > 0) {
    int status = 0;
    const pid_t got = ::waitpid(it->second, &status, WNOHANG);
    if (got == 0) return std::nullopt;
    exit_status_[server] = got == it->second ? Decode(status) : -1;  // -1: not ours to wait for (ECHILD)
    it->second = 0;
  }
  return exit_status_[server];
}

std::vector<std::string> AgentProcesses::Servers() const {
  std::vector<std::string> out;
  for (const auto& [server, pid] : pids_) out.push_back(server);
  return out;
}

int AgentProcesses::Decode(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status); }

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
