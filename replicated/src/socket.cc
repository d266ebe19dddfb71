#include "socket.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <iterator>

#include "wire.h"

namespace hastore::replicated {

namespace {

bool IsUnix(const std::string& address) { return !address.empty() && address[0] == '/'; }

struct SockAddr {
  sockaddr_storage storage{};
  socklen_t len = 0;
  int family = AF_INET;
};

Result<SockAddr> Resolve(const std::string& address) {
  SockAddr a;
  if (IsUnix(address)) {
    auto* un = reinterpret_cast<sockaddr_un*>(&a.storage);
    if (address.size() >= sizeof(un->sun_path)) return Status::InvalidArgument("socket path too long: " + address);
    un->sun_family = AF_UNIX;
    std::memcpy(un->sun_path, address.c_str(), address.size() + 1);
    a.len = sizeof(sockaddr_un);
    a.family = AF_UNIX;
    return a;
  }
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos) return Status::InvalidArgument("address '" + address + "' is not host:port or a socket path");
  const std::string host = address.substr(0, colon);
  int port = 0;
  try {
    port = std::stoi(address.substr(colon + 1));
  } catch (...) {
    port = -1;
  }
  if (port <= 0 || port > 65535) return Status::InvalidArgument("address '" + address + "' has no valid port");
  auto* in = reinterpret_cast<sockaddr_in*>(&a.storage);
  in->sin_family = AF_INET;
  in->sin_port = htons(static_cast<uint16_t>(port));
  if (::inet_pton(AF_INET, host.c_str(), &in->sin_addr) != 1) {
    return Status::InvalidArgument("address '" + address + "': host must be an IPv4 address");
  }
  a.len = sizeof(sockaddr_in);
  return a;
}

void TuneTcp(int fd) {
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

// Writes every byte of the n parts at iov (which it consumes), in order.
Status SendParts(int fd, iovec* iov, size_t n, const std::string& peer, bool* timed_out) {
  while (n > 0) {
    msghdr m{};
    m.msg_iov = iov;
    m.msg_iovlen = n;
    const ssize_t w = ::sendmsg(fd, &m, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EINTR) continue;
      *timed_out = errno == EAGAIN || errno == EWOULDBLOCK;
      if (*timed_out) return Status::IOError(peer + " takes nothing more in time");
      return Status::FromErrno("sending to " + peer, errno);
    }
    size_t done = static_cast<size_t>(w);  // skip the parts that went; part of the next may have
    while (n > 0 && done >= iov->iov_len) {
      done -= iov->iov_len;
      ++iov;
      --n;
    }
    if (n > 0) {
      iov->iov_base = static_cast<char*>(iov->iov_base) + done;
      iov->iov_len -= done;
    }
  }
  return Status::Ok();
}

Status ReceiveAll(int fd, char* p, size_t n, const std::string& peer, bool* timed_out) {
  while (n > 0) {
    ssize_t r = ::recv(fd, p, n, 0);
    if (r == 0) return Status::IOError("connection to " + peer + " closed");
    if (r < 0) {
      if (errno == EINTR) continue;
      *timed_out = errno == EAGAIN || errno == EWOULDBLOCK;
      if (*timed_out) return Status::IOError("no answer from " + peer + " in time");
      return Status::FromErrno("receiving from " + peer, errno);
    }
    p += r;
    n -= static_cast<size_t>(r);
  }
  return Status::Ok();
}

}  // namespace

Socket::~Socket() {
  if (fd_ >= 0) ::close(fd_);
}

Result<std::unique_ptr<Socket>> Socket::Connect(const std::string& address, uint64_t connect_ms, uint64_t io_ms) {
  Result<SockAddr> a = Resolve(address);
  if (!a.ok()) return a.status();
  int fd = ::socket(a->family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return Status::FromErrno("socket for " + address, errno);
  auto sock = std::make_unique<Socket>(fd, address);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a->storage), a->len) != 0) {
    if (errno != EINPROGRESS) return Status::FromErrno("connecting to replication daemon " + address, errno);
    pollfd p{fd, POLLOUT, 0};
    int rc = ::poll(&p, 1, static_cast<int>(connect_ms));
    if (rc == 0) return Status::IOError("connecting to replication daemon " + address + ": no answer in " + std::to_string(connect_ms) + " ms");
    int err = 0;
    socklen_t len = sizeof(err);
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (rc < 0 || err != 0) return Status::FromErrno("connecting to replication daemon " + address, rc < 0 ? errno : err);
  }
  int fl = ::fcntl(fd, F_GETFL);
  ::fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
  if (a->family == AF_INET) TuneTcp(fd);
  if (io_ms != 0) sock->SetTimeout(io_ms);
  return sock;
}

Status Socket::Send(std::string_view bytes) {
  iovec iov{const_cast<char*>(bytes.data()), bytes.size()};
  return SendParts(fd_, &iov, 1, peer_, &timed_out_);
}

Status Socket::SendFrame(std::initializer_list<std::string_view> parts) {
  const std::string header = FrameHeader(parts);
  iovec iov[8];
  size_t n = 0;
  iov[n++] = iovec{const_cast<char*>(header.data()), header.size()};
  for (std::string_view p : parts) {
    if (n == std::size(iov)) return Status::InvalidArgument("a frame of more than 7 parts");
    iov[n++] = iovec{const_cast<char*>(p.data()), p.size()};
  }
  return SendParts(fd_, iov, n, peer_, &timed_out_);
}

Result<std::string> Socket::Receive() {
  char header[kFrameHeaderBytes];
  HASTORE_RETURN_IF_ERROR(ReceiveAll(fd_, header, sizeof(header), peer_, &timed_out_));
  const uint32_t len = FrameBodyLength(header);
  if (len > kMaxBodyBytes) return Status::Corruption("frame from " + peer_ + " announces " + std::to_string(len) + " bytes: refused");
  // The length is the peer's word: the body grows with the bytes that arrive (at most doubling),
  // so 12 bytes announcing 2 GiB cost nothing until 2 GiB come.
  constexpr size_t kFirstChunk = 1 << 20;
  std::string body;
  while (body.size() < len) {
    const size_t have = body.size();
    const size_t n = std::min<size_t>(len - have, std::max(kFirstChunk, have));
    body.resize(have + n);
    HASTORE_RETURN_IF_ERROR(ReceiveAll(fd_, body.data() + have, n, peer_, &timed_out_));
  }
  HASTORE_RETURN_IF_ERROR(CheckFrame(header, body, peer_));
  return body;
}

Result<std::string> Socket::ReceiveExactly(size_t n) {
  std::string bytes(n, '\0');
  HASTORE_RETURN_IF_ERROR(ReceiveAll(fd_, bytes.data(), n, peer_, &timed_out_));
  return bytes;
}

Result<Reply> Socket::Call(std::string_view body) {
  HASTORE_RETURN_IF_ERROR(SendFrame({body}));
  Result<std::string> reply = Receive();
  if (!reply.ok()) return reply.status();
  return Reply::Parse(std::move(*reply));
}

void Socket::SetTimeout(uint64_t ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms % 1000) * 1000);
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

void Socket::Shutdown() { ::shutdown(fd_, SHUT_RDWR); }

void CloseAndWait(std::vector<std::unique_ptr<Socket>>& sockets, uint64_t timeout_ms) {
  std::vector<pollfd> open;
  for (const std::unique_ptr<Socket>& s : sockets) {
    if (::shutdown(s->fd(), SHUT_WR) == 0) open.push_back(pollfd{s->fd(), POLLIN, 0});
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!open.empty()) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || ::poll(open.data(), open.size(), static_cast<int>(left.count())) < 0) break;
    std::erase_if(open, [](const pollfd& p) {
      if (p.revents == 0) return false;
      char discard[256];
      const ssize_t r = ::recv(p.fd, discard, sizeof(discard), MSG_DONTWAIT);
      return r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);  // closed by the peer
    });
  }
  sockets.clear();
}

Result<std::unique_ptr<Listener>> Listener::Listen(const std::string& address) {
  Result<SockAddr> a = Resolve(address);
  if (!a.ok()) return a.status();
  int fd = ::socket(a->family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::FromErrno("socket for " + address, errno);
  std::unique_ptr<Listener> l(new Listener(fd, address));
  if (a->family == AF_INET) {
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  } else {
    ::unlink(address.c_str());
  }
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a->storage), a->len) != 0) return Status::FromErrno("binding " + address, errno);
  if (::listen(fd, 128) != 0) return Status::FromErrno("listening on " + address, errno);
  return l;
}

Listener::~Listener() {
  if (fd_ >= 0) ::close(fd_);
}

Result<std::unique_ptr<Socket>> Listener::Accept() {
  for (;;) {
    sockaddr_storage from{};
    socklen_t len = sizeof(from);
    int fd = ::accept4(fd_, reinterpret_cast<sockaddr*>(&from), &len, SOCK_CLOEXEC);
    if (fd >= 0) {
      if (from.ss_family == AF_INET) TuneTcp(fd);
      std::string peer = address_;
      if (from.ss_family == AF_INET) {
        char text[INET_ADDRSTRLEN] = {};
        const auto* in = reinterpret_cast<const sockaddr_in*>(&from);
        ::inet_ntop(AF_INET, &in->sin_addr, text, sizeof(text));
        peer = std::string(text) + ":" + std::to_string(ntohs(in->sin_port));
      }
      return std::make_unique<Socket>(fd, "client " + peer);
    }
    if (errno == EINTR || errno == ECONNABORTED) continue;
    if (errno == EINVAL || errno == EBADF) return Status::Closed("listener on " + address_ + " closed");
    return Status::FromErrno("accepting on " + address_, errno);
  }
}

void Listener::Close() { ::shutdown(fd_, SHUT_RDWR); }

}  // namespace hastore::replicated
