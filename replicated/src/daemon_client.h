// A client's link to an instance's two daemons: requests go to the one it is using (the
// primary first); when that one cannot be reached, is paused past the timeout, or is not
// serving, the request goes to the other, after the client's claim is made there too. Every
// request it retries is idempotent (writes are positional), so a request whose answer was lost
// with a daemon is simply sent again.
//
// Thread safety: any thread; requests from several threads travel on connections of their own.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "hastore/replicated/daemon_config.h"
#include "socket.h"
#include "wire.h"

namespace hastore::replicated {

class DaemonClient {
 public:
  DaemonClient(DaemonConfig config, std::string instance);

  // HELLO: reaches one of the two daemons and learns the region size and message limit.
  Status Connect();
  // CLAIM at `epoch` for `session`; remembered, and made again on the other daemon when the
  // client moves to it. `exclusive` (a single-server open): refused kLocked, naming the
  // holder, while another session's client holds a claim of the instance.
  Status Claim(uint64_t epoch, const std::string& session, bool exclusive);
  // Lets go of the claim: closes the idle connections and, when it claimed, waits (up to
  // kReleaseWaitMs in all) until the daemons have closed theirs, so that an open right after
  // finds the instance free. Nothing is claimed again until the next Claim.
  void Release();

  // Sends `request` (a body built by the caller, any id) and returns the reply, whose status is
  // Ok: a refusal is returned as the error. kIOError when neither daemon answered within the
  // failover bound.
  Result<Reply> Call(const MessageWriter& request);

  // The start of a request that changes the instance (CREATE, WRITE, ...): its operation, then
  // not forwarded, the instance and the claimed epoch; the caller adds the rest.
  MessageWriter Change(Op op) const;

  uint64_t max_message() const { return max_message_; }
  uint64_t epoch() const { return epoch_.load(); }
  const std::string& instance() const { return instance_; }
  const DaemonConfig& config() const { return config_; }
  // The daemon in use, as "index (address)".
  std::string Describe() const;

 private:
  Result<std::unique_ptr<Socket>> Take(int daemon);
  void Give(int daemon, std::unique_ptr<Socket> s);
  // One attempt on one daemon: its reply, or a transport error.
  Result<Reply> Attempt(int daemon, std::string_view body);
  // kIOError: neither daemon of the instance `why` ("serves: ...").
  Status Unreachable(const std::string& why) const;
  // Makes the remembered claim on `daemon`.
  Status Reclaim(int daemon);

  const DaemonConfig config_;
  const std::string instance_;
  int pair_[2];
  std::atomic<int> current_{0};  // index into pair_
  uint64_t max_message_ = 0;
  std::atomic<uint64_t> epoch_{0};

  std::mutex mu_;
  std::string session_;
  bool exclusive_ = false;
  bool claimed_on_[2] = {false, false};
  std::vector<std::unique_ptr<Socket>> idle_[2];
};

// One request on a connection of its own to the daemon at `address`, for requests outside an
// instance's traffic (a daemon asking its partner, an operator's tool): its reply, with the
// daemon's status as the error when it is not Ok. Gives up after timeout_ms without progress.
// Authenticates with config's key first (authenticate.h).
Result<Reply> AskDaemon(const DaemonConfig& config, const std::string& address, const MessageWriter& request, uint64_t timeout_ms);

}  // namespace hastore::replicated
