// A migration script of a migratable target (cluster_config.h: pre_script, post_script), run for
// one instance as `/bin/sh -c SCRIPT` with the agent's environment plus
//   HASTORE_INSTANCE  the instance that moves       HASTORE_TARGET  its migratable target
//   HASTORE_FROM      the server it leaves          HASTORE_TO      the server it goes to
//   HASTORE_SERVER    the server running the script
// stdin from /dev/null, stdout and stderr the agent's; no signal blocked, and SIGTERM, SIGINT and
// SIGPIPE at their defaults whatever the agent does with them.
//
// It runs in the background and the agent polls it, because a script may take longer than a
// lease: the agent's thread must go on renewing its leases meanwhile. It runs in a process group
// of its own, so a timeout or an abandoned migration kills whatever the script started too.
//
// Thread safety: one thread.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "hastore/storage/status.h"

namespace hastore::ha {

// A script that has not finished within this long is killed and has failed.
inline constexpr uint64_t kMigrationScriptTimeoutMs = 60000;

struct MigrationScriptEnv {
  std::string instance, target, from, to, server;
};

class MigrationScript {
 public:
  // `what` names the script in messages ("post script of mt1 on ms1"); times are the caller's
  // monotonic milliseconds. kIOError if it cannot be started.
  static Result<std::unique_ptr<MigrationScript>> Start(std::string what, const std::string& command,
                                                        const MigrationScriptEnv& env, uint64_t now_ms,
                                                        uint64_t timeout_ms = kMigrationScriptTimeoutMs);
  // Kills the script's process group if it still runs, and reaps it.
  ~MigrationScript();
  MigrationScript(const MigrationScript&) = delete;
  MigrationScript& operator=(const MigrationScript&) = delete;

  // nullopt while it runs. Ok when it exited with status 0; otherwise kIOError naming the script
  // and its exit status, the signal that ended it, or the timeout (it is killed then).
  std::optional<Status> Poll(uint64_t now_ms);

 private:
  MigrationScript(std::string what, pid_t pid, uint64_t deadline_ms, uint64_t timeout_ms)
      : what_(std::move(what)), pid_(pid), deadline_ms_(deadline_ms), timeout_ms_(timeout_ms) {}
  void KillAndReap();

  const std::string what_;
  const pid_t pid_;
  const uint64_t deadline_ms_, timeout_ms_;
  bool reaped_ = false;
};

}  // namespace hastore::ha
