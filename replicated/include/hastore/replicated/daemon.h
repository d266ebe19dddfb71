// The replication daemon (`hastore rsd`, DESIGN §7): holds the .RGN regions of the instances
// that hash to it (as primary, or as the peer of the daemon before it), applies every write a
// client sends it only after its partner has it too, and refuses writes under an epoch lower
// than the instance's claim. replicated/FORMAT.md is the protocol.
//
// A daemon that starts serves nothing until each partner daemon has pushed it the instances it
// missed while it was down (a partner that is down too is waited for; `serve_alone` skips the
// wait, for an operator who knows the partner is gone for good).
//
// Thread safety: Start, Stop and the accessors may be called from any thread.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "hastore/replicated/daemon_config.h"

namespace hastore::replicated {

struct DaemonOptions {
  bool serve_alone = false;
  // Progress and refusals, one line each; null: the library's logger (hastore/storage/log.h).
  std::function<void(const std::string&)> log;
};

class Daemon {
 public:
  // Opens the catalogue and regions of daemons[index] and listens on its address and socket.
  static Result<std::unique_ptr<Daemon>> Start(const DaemonConfig& config, int index, DaemonOptions options = {});
  virtual ~Daemon() = default;
  // Stops listening, closes every connection, flushes the regions to disk.
  virtual void Stop() = 0;
  // Blocks until Stop, or until a client asked the daemon to shut down; returns the reason.
  virtual std::string Wait() = 0;
  // True once the partners pushed what it missed: it serves clients.
  virtual bool serving() const = 0;
};

}  // namespace hastore::replicated
