#include "daemon_client.h"

#include <chrono>
#include <thread>

#include "authenticate.h"

namespace hastore::replicated {

namespace {
constexpr uint64_t kConnectTimeoutMs = 1000;
// A daemon that does not answer a request in this long is taken for gone (it may be paused).
constexpr uint64_t kRequestTimeoutMs = 3000;
// How long a request keeps trying the two daemons before it gives up.
constexpr uint64_t kFailoverBoundMs = 10000;
// How long Release waits for the daemons to close the connections that held the claim.
constexpr uint64_t kReleaseWaitMs = 1000;
}  // namespace

Result<Reply> AskDaemon(const DaemonConfig& config, const std::string& address, const MessageWriter& request, uint64_t timeout_ms) {
  Result<std::unique_ptr<Socket>> s = ConnectToDaemon(config, address, timeout_ms, timeout_ms);
  if (!s.ok()) return s.status();
  Result<Reply> reply = (*s)->Call(request.body());
  if (reply.ok() && !reply->status().ok()) return reply->status();
  return reply;
}

DaemonClient::DaemonClient(DaemonConfig config, std::string instance)
    : config_(std::move(config)), instance_(std::move(instance)) {
  const auto [first, second] = config_.PairOf(instance_);
  pair_[0] = first;
  pair_[1] = second;
}

std::string DaemonClient::Describe() const {
  const int d = pair_[current_.load()];
  return "replication daemon " + std::to_string(d) + " (" + config_.daemons[d].address + ")";
}

Result<std::unique_ptr<Socket>> DaemonClient::Take(int which) {
  {
    std::lock_guard lock(mu_);
    if (!idle_[which].empty()) {
      std::unique_ptr<Socket> s = std::move(idle_[which].back());
      idle_[which].pop_back();
      return s;
    }
  }
  // A daemon on this host is reached through its Unix socket when it has one.
  const DaemonAddress& d = config_.daemons[pair_[which]];
  Result<std::unique_ptr<Socket>> s = Status::IOError("no address");
  if (!d.socket.empty()) s = ConnectToDaemon(config_, d.socket, kConnectTimeoutMs, kRequestTimeoutMs);
  if (!s.ok()) s = ConnectToDaemon(config_, d.address, kConnectTimeoutMs, kRequestTimeoutMs);
  return s;
}

void DaemonClient::Give(int which, std::unique_ptr<Socket> s) {
  std::lock_guard lock(mu_);
  idle_[which].push_back(std::move(s));
}

Result<Reply> DaemonClient::Attempt(int which, std::string_view body) {
  Result<std::unique_ptr<Socket>> s = Take(which);
  if (!s.ok()) return s.status();
  Result<Reply> reply = (*s)->Call(body);
  if (!reply.ok()) return reply.status();  // the socket is dropped: its stream is out of step
  Give(which, std::move(*s));
  return reply;
}

MessageWriter DaemonClient::Change(Op op) const {
  MessageWriter w(op, 0);
  w.U8(0).Str(instance_).U64(epoch_.load());
  return w;
}

Status DaemonClient::Unreachable(const std::string& why) const {
  return Status::IOError("instance " + instance_ + ": neither of its replication daemons (" + config_.daemons[pair_[0]].address +
                         ", " + config_.daemons[pair_[1]].address + ") " + why);
}

Status DaemonClient::Connect() {
  Status last;
  for (int which : {0, 1}) {
    Result<Reply> reply = Attempt(which, MessageWriter(Op::kHello, 0).body());
    if (!reply.ok()) {
      // A daemon that refused this side's key (or proved none) is not one that is away.
      if (reply.status().code() != StatusCode::kIOError) return reply.status();
      last = reply.status();
      continue;
    }
    if (!reply->status().ok()) return reply->status();
    MessageReader r = reply->payload();
    Result<uint32_t> index = r.U32();
    Result<uint64_t> region = r.U64();
    Result<uint64_t> message = r.U64();
    Result<uint8_t> serving = r.U8();
    if (!index.ok() || !region.ok() || !message.ok() || !serving.ok()) return Status::Corruption("a HELLO reply ends early");
    if (*region != config_.region_size) {
      return Status::InvalidArgument("replication daemon " + std::to_string(*index) + " has Region Size " + std::to_string(*region) +
                                     ", the configuration says " + std::to_string(config_.region_size));
    }
    max_message_ = *message;
    if (*serving != 0) {
      current_ = which;
      return Status::Ok();
    }
    last = Status::IOError(config_.daemons[pair_[which]].address + " is resynchronising");
  }
  return Unreachable("serves: " + last.message());
}

Status DaemonClient::Claim(uint64_t epoch, const std::string& session, bool exclusive) {
  {
    std::lock_guard lock(mu_);
    session_ = session;
    exclusive_ = exclusive;
    claimed_on_[0] = claimed_on_[1] = false;
  }
  epoch_ = epoch;
  // Call makes the claim on whichever daemon it reaches (Reclaim), then asks it a HELLO.
  return Call(MessageWriter(Op::kHello, 0)).status();
}

void DaemonClient::Release() {
  std::vector<std::unique_ptr<Socket>> closing;
  bool claimed = false;
  {
    std::lock_guard lock(mu_);
    claimed = !session_.empty();
    session_.clear();
    for (int which : {0, 1}) {
      claimed_on_[which] = false;
      for (auto& s : idle_[which]) closing.push_back(std::move(s));
      idle_[which].clear();
    }
  }
  if (claimed) CloseAndWait(closing, kReleaseWaitMs);
}

Status DaemonClient::Reclaim(int which) {
  std::string session;
  bool exclusive = false;
  {
    std::lock_guard lock(mu_);
    if (session_.empty() || claimed_on_[which]) return Status::Ok();
    session = session_;
    exclusive = exclusive_;
  }
  MessageWriter w(Op::kClaim, 0);
  w.U8(0).Str(instance_).U64(epoch_.load()).Str(session).U8(exclusive ? 1 : 0);
  Result<Reply> reply = Attempt(which, w.body());
  if (!reply.ok()) return reply.status();
  if (!reply->status().ok()) return reply->status();
  std::lock_guard lock(mu_);
  claimed_on_[which] = true;
  return Status::Ok();
}

Result<Reply> DaemonClient::Call(const MessageWriter& request) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kFailoverBoundMs);
  Status last;
  for (int attempt = 0;; ++attempt) {
    const int which = current_.load();
    Status moved = Reclaim(which);
    Result<Reply> reply = moved.ok() ? Attempt(which, request.body()) : Result<Reply>(moved);
    if (reply.ok()) {
      // kIOError from a daemon: it is resynchronising, or its partner holds newer writes.
      if (reply->status().code() != StatusCode::kIOError) {
        if (!reply->status().ok()) return reply->status();
        return reply;
      }
      last = reply->status();
    } else if (reply.status().code() != StatusCode::kIOError) {
      return reply.status();  // a claim refused (fenced, locked) or a corrupt reply
    } else {
      last = reply.status();
    }
    if (std::chrono::steady_clock::now() >= deadline) break;
    // The other daemon; after trying both, a short pause before the next round.
    {
      std::lock_guard lock(mu_);
      claimed_on_[which] = false;
      idle_[which].clear();
    }
    int expected = which;  // another thread may have moved already
    current_.compare_exchange_strong(expected, 1 - which);
    if (attempt % 2 == 1) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return Unreachable("answered within " + std::to_string(kFailoverBoundMs) + " ms: " + last.message());
}

}  // namespace hastore::replicated
