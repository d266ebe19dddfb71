// The handshake (handshake.h, replicated/FORMAT.md "Authentication") run on a socket: every
// connection to a replication daemon starts with it, before any frame. The daemons' shared key
// is DaemonConfig::auth_key.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "hastore/replicated/daemon_config.h"
#include "socket.h"

namespace hastore::replicated {

// Connects to a daemon at `address` (its TCP address or Unix socket) and proves this side
// knows the key, after the daemon proved it does. kInvalidArgument (naming the key file) when
// this side has no key, or the daemon refused it, or the daemon proved no knowledge of it: a
// wrong key is not a daemon that is away, so a client does not fail over on it. kIOError when
// the daemon cannot be reached or stops answering (connect_ms, io_ms as Socket::Connect).
Result<std::unique_ptr<Socket>> ConnectToDaemon(const DaemonConfig& config, const std::string& address, uint64_t connect_ms,
                                                uint64_t io_ms);

// The initiator's side on a socket already connected.
Status AuthenticateToDaemon(Socket& socket, const DaemonConfig& config);

// A daemon's side on a socket it accepted: reads nothing but the handshake, and waits for it
// at most timeout_ms. Ok once the peer proved it knows `key`; an error (to be logged, the
// connection then closed unread) otherwise. The socket's timeout is reset to none on success.
Status AuthenticatePeer(Socket& socket, const std::string& key, uint64_t timeout_ms);

}  // namespace hastore::replicated
