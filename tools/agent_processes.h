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
  // server -> JournalPath, for every server ever started (for ReadJournals: a server never
  // started has no journal).
  std::map<std::string, std::string> JournalPaths() const;

 private:
  struct Run {
    pid_t pid = 0;         // 0 once reaped
    int exit_status = -1;  // of the last run that ended
  };

  static constexpr std::chrono::milliseconds kShutdownBound{30000};
  static int Decode(int wait_status);
  // Sends `signal` to the running agent of `run`, continued first should it be stopped (a
  // stopped process leaves a SIGTERM pending).
  static void Send(const Run& run, int signal);
  // Reaps the agent of `run` that `signal` was sent to (SIGKILL: however long it takes; any
  // other: kShutdownBound at most, then SIGKILL), records how it ended and returns that.
  int Reaped(Run& run, int signal);
  int Reap(pid_t pid);
  int ReapWithin(pid_t pid, std::chrono::milliseconds bound);

  const std::string exe_, dir_, config_;
  std::map<std::string, Run> runs_;  // by server: the current or last run of each ever started
};

// instance -> the server holding its lease, for the instances whose lease is held live now
// (empty when the authority cannot be read).
std::map<std::string, std::string> LiveOwners(ha::LeaseAuthority& authority);

}  // namespace hastore::tools
