// `hastore agent` processes of one cluster on this machine, as the demo, its failover trials and
// the multi-process fault tests run them: started, signalled, killed and reaped by server name.
//
// Each agent runs the example queue service with a producer (queue_service.h); its stderr goes
// to <dir>/<server>.log and its producer journal to <dir>/journal-<server> (both appended to, so
// a server started again keeps one log and one journal).
//
// Thread safety: one thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "hastore/ha/lease_authority.h"
#include "hastore/storage/status.h"

namespace hastore::tools {

class AgentProcesses {
 public:
  // `exe`: the hastore binary; `config`: the cluster configuration file they all run.
  AgentProcesses(std::string exe, std::string dir, std::string config);
  // SIGKILLs and reaps every agent still running (a stopped one is continued first).
  ~AgentProcesses();
  AgentProcesses(const AgentProcesses&) = delete;
  AgentProcesses& operator=(const AgentProcesses&) = delete;

  // Starts `server` with a producer of `rate` messages/s per active instance (0: none).
  Status Start(const std::string& server, double rate);
  // Sends `signal` (SIGSTOP, SIGCONT...) without waiting.
  void Signal(const std::string& server, int signal);
  // SIGKILL, then reaps it.
  void Kill(const std::string& server);
  // SIGTERM (an orderly shutdown), then reaps it; its exit status (128 + signal if killed).
  // One that has not exited within kShutdownBound is killed with SIGKILL.
  int Terminate(const std::string& server);
  // Terminates every running agent, all signalled before any is waited for (each as Terminate).
  void TerminateAll();
  // Reaps `server` if it has exited on its own; true while it runs.
  bool Running(const std::string& server) { return !ExitStatus(server); }
  // How `server`'s last run ended (as Terminate says), reaping it if it has just exited;
  // nullopt while it runs. A server never started counts as ended, with -1.
  std::optional<int> ExitStatus(const std::string& server);

  std::string LogPath(const std::string& server) const { return dir_ + "/" + server + ".log"; }
  std::string JournalPath(const std::string& server) const { return dir_ + "/journal-" + server; }
  // Every server ever started, in name order.
  std::vector<std::string> Servers() const;

 private:
  static constexpr std::chrono::milliseconds kShutdownBound{30000};
  static int Decode(int wait_status);
  int Reap(pid_t pid);
  int ReapWithin(pid_t pid, std::chrono::milliseconds bound);

  const std::string exe_, dir_, config_;
  std::map<std::string, pid_t> pids_;  // 0 once reaped
  std::map<std::string, int> exit_status_;  // of the last run that ended
};

// instance -> the server holding its lease, for the instances whose lease is held live now
// (empty when the authority cannot be read).
std::map<std::string, std::string> LiveOwners(ha::LeaseAuthority& authority);

}  // namespace hastore::tools
