// Stream sockets for the replication protocol: TCP ("127.0.0.2:7401") or Unix ("/run/rsd.sock"),
// one frame (wire.h) at a time. RAII: a Socket closes its descriptor.
//
// Thread safety: one thread per Socket at a time; Shutdown may be called from any thread to
// wake one blocked in Receive.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "hastore/storage/status.h"

namespace hastore::replicated {

class Socket {
 public:
  explicit Socket(int fd, std::string peer) : fd_(fd), peer_(std::move(peer)) {}
  ~Socket();
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  // Connects to `address`: a path (starts with '/') is a Unix socket, anything else host:port.
  // Gives up after timeout_ms.
  static Result<std::unique_ptr<Socket>> Connect(const std::string& address, uint64_t timeout_ms);

  // Sends a whole frame (header and body already joined).
  Status Send(std::string_view frame);
  // Receives one frame and checks its checksum; returns its body. kIOError when the peer
  // closed or the connection broke, kCorruption for a bad checksum or length.
  Result<std::string> Receive();
  // A request and its reply, for clients.
  Result<std::string> Call(std::string_view frame);

  // Sends and receives give up (kIOError) after `ms` without progress: a peer that is paused
  // (SIGSTOP) or cut off looks like one that is gone.
  void SetTimeout(uint64_t ms);
  // Stops both directions: a thread blocked in Receive returns an error.
  void Shutdown();
  const std::string& peer() const { return peer_; }
  int fd() const { return fd_; }

 private:
  int fd_;
  std::string peer_;
};

// A listening socket on `address` (as for Connect). A Unix socket's stale file is replaced.
class Listener {
 public:
  static Result<std::unique_ptr<Listener>> Listen(const std::string& address);
  ~Listener();
  // The next connection; kClosed once Close was called.
  Result<std::unique_ptr<Socket>> Accept();
  // Wakes Accept for good.
  void Close();
  const std::string& address() const { return address_; }

 private:
  Listener(int fd, std::string address) : fd_(fd), address_(std::move(address)) {}
  int fd_;
  std::string address_;
};

}  // namespace hastore::replicated
