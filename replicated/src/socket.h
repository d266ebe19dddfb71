// Stream sockets for the replication protocol: TCP ("127.0.0.2:7401") or Unix ("/run/rsd.sock"),
// one frame (wire.h) at a time. RAII: a Socket closes its descriptor.
//
// Thread safety: one thread per Socket at a time; Shutdown may be called from any thread to
// wake one blocked in Receive.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "hastore/storage/status.h"
#include "wire.h"

namespace hastore::replicated {

class Socket {
 public:
  explicit Socket(int fd, std::string peer) : fd_(fd), peer_(std::move(peer)) {}
  ~Socket();
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  // Connects to `address`: a path (starts with '/') is a Unix socket, anything else host:port.
  // Gives up after connect_ms; later sends and receives give up (kIOError) after io_ms without
  // progress, so a peer that is paused (SIGSTOP) or cut off looks like one that is gone
  // (0: they wait as long as it takes).
  static Result<std::unique_ptr<Socket>> Connect(const std::string& address, uint64_t connect_ms, uint64_t io_ms);

  // Sends one frame whose body is `parts` joined, without joining them.
  Status SendFrame(std::initializer_list<std::string_view> parts);
  // Sends bytes as they are (the handshake's messages, a test's hand-made frame).
  Status Send(std::string_view bytes);
  // Receives exactly n bytes, no frame (the handshake's fixed-size messages); kIOError as
  // for Receive.
  Result<std::string> ReceiveExactly(size_t n);
  // Receives one frame and checks its checksum; returns its body. kIOError when the peer
  // closed or the connection broke, kCorruption for a bad checksum or length.
  Result<std::string> Receive();
  // A request (its body) and its reply, for clients.
  Result<Reply> Call(std::string_view body);

  // See Connect's io_ms; for accepted connections.
  void SetTimeout(uint64_t ms);
  // Stops both directions: a thread blocked in Receive returns an error.
  void Shutdown();
  const std::string& peer() const { return peer_; }
  int fd() const { return fd_; }
  // Whether the last send or receive failed because it ran past the timeout (the peer is
  // there but answers nothing), rather than because the connection broke.
  bool timed_out() const { return timed_out_; }

 private:
  int fd_;
  std::string peer_;
  bool timed_out_ = false;
};

// Ends this side of every socket and waits, up to `timeout_ms` in all, until each peer has
// closed its own: a daemon that closed a connection has finished with it (and let go of the
// claims made on it). The sockets are closed on return.
void CloseAndWait(std::vector<std::unique_ptr<Socket>>& sockets, uint64_t timeout_ms);

// A listening socket on `address` (as for Connect). A Unix socket's stale file is replaced.
class Listener {
 public:
  static Result<std::unique_ptr<Listener>> Listen(const std::string& address);
  ~Listener();
  // The next connection; kClosed once Close was called.
  Result<std::unique_ptr<Socket>> Accept();
  // Wakes Accept for good.
  void Close();

 private:
  Listener(int fd, std::string address) : fd_(fd), address_(std::move(address)) {}
  int fd_;
  std::string address_;
};

}  // namespace hastore::replicated
