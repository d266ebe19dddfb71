#include "daemon_client.h"

#include <chrono>
#include <thread>

namespace hastore::replicated {

namespace {
constexpr uint64_t kConnectTimeoutMs = 1000;
// A daemon that does not answer a request in this long is taken for gone (it may be paused).
constexpr uint64_t kRequestTimeoutMs = 3000;
// How long a request keeps trying the two daemons before it gives up.
constexpr uint64_t kFailoverBoundMs = 10000;
}  // namespace

Result<Answered> ReplyStatus(MessageReader& r) {
  Result<uint8_t> op = r.U8();
  Result<uint64_t> id = r.U64();
  if (!op.ok() || !id.ok() || *op != static_cast<uint8_t>(Op::kReply)) return Status::Corruption("a reply that is not one");
  return GetStatus(r);
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
  if (!d.socket.empty()) s = Socket::Connect(d.socket, kConnectTimeoutMs);
  if (!s.ok()) s = Socket::Connect(d.address, kConnectTimeoutMs);
  if (s.ok()) (*s)->SetTimeout(kRequestTimeoutMs);
  return s;
}

void DaemonClient::Give(int which, std::unique_ptr<Socket> s) {
  std::lock_guard lock(mu_);
  idle_[which].push_back(std::move(s));
}

Result<std::string> DaemonClient::Attempt(int which, const std::string& frame) {
  Result<std::unique_ptr<Socket>> s = Take(which);
  if (!s.ok()) return s.status();
  Result<std::string> reply = (*s)->Call(frame);
  if (!reply.ok()) return reply.status();  // the socket is dropped: its stream is out of step
  Give(which, std::move(*s));
  return reply;
}

Status DaemonClient::Connect() {
  Status last;
  for (int which : {0, 1}) {
    Result<std::string> reply = Attempt(which, MessageWriter(Op::kHello, 0).Frame());
    if (!reply.ok()) {
      last = reply.status();
      continue;
    }
    MessageReader r(*reply);
    Result<Answered> st = ReplyStatus(r);
    if (!st.ok()) return st.status();
    Result<uint32_t> index = r.U32();
    Result<uint64_t> region = r.U64();
    Result<uint64_t> message = r.U64();
    Result<uint8_t> serving = r.U8();
    if (!index.ok() || !region.ok() || !message.ok() || !serving.ok()) return Status::Corruption("a HELLO reply ends early");
    if (*region != config_.region_size) {
      return Status::InvalidArgument("replication daemon " + std::to_string(*index) + " has Region Size " + std::to_string(*region) +
                                     ", the configuration says " + std::to_string(config_.region_size));
    }
    region_size_ = *region;
    max_message_ = *message;
    if (*serving != 0) {
      current_ = which;
      return Status::Ok();
    }
    last = Status::IOError(config_.daemons[pair_[which]].address + " is resynchronising");
  }
  return Status::IOError("instance " + instance_ + ": neither of its replication daemons (" + config_.daemons[pair_[0]].address +
                         ", " + config_.daemons[pair_[1]].address + ") serves: " + last.message());
}

Status DaemonClient::Claim(uint64_t epoch, const std::string& session) {
  {
    std::lock_guard lock(mu_);
    session_ = session;
    claimed_on_[0] = claimed_on_[1] = false;
  }
  epoch_ = epoch;
  MessageWriter w(Op::kClaim, 0);
  w.U8(0).Str(instance_).U64(epoch).Str(session);
  Result<std::string> reply = Call(w);
  if (!reply.ok()) return reply.status();
  std::lock_guard lock(mu_);
  claimed_on_[current_.load()] = true;
  return Status::Ok();
}

Status DaemonClient::Reclaim(int which) {
  std::string session;
  {
    std::lock_guard lock(mu_);
    if (session_.empty() || claimed_on_[which]) return Status::Ok();
    session = session_;
  }
  MessageWriter w(Op::kClaim, 0);
  w.U8(0).Str(instance_).U64(epoch_.load()).Str(session);
  Result<std::string> reply = Attempt(which, w.Frame());
  if (!reply.ok()) return reply.status();
  MessageReader r(*reply);
  Result<Answered> st = ReplyStatus(r);
  if (!st.ok()) return st.status();
  if (!st->status.ok()) return st->status;
  std::lock_guard lock(mu_);
  claimed_on_[which] = true;
  return Status::Ok();
}

Result<std::string> DaemonClient::Call(const MessageWriter& request) {
  const std::string frame = request.Frame();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kFailoverBoundMs);
  Status last;
  for (int attempt = 0;; ++attempt) {
    const int which = current_.load();
    Status moved = Reclaim(which);
    Result<std::string> reply = moved.ok() ? Attempt(which, frame) : Result<std::string>(moved);
    if (reply.ok()) {
      MessageReader r(*reply);
      Result<Answered> st = ReplyStatus(r);
      if (!st.ok()) return st.status();
      // kIOError from a daemon: it is resynchronising, or its partner holds newer writes.
      if (st->status.code() != StatusCode::kIOError) {
        if (!st->status.ok()) return st->status;
        return reply;
      }
      last = st->status;
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
  return Status::IOError("instance " + instance_ + ": neither of its replication daemons (" + config_.daemons[pair_[0]].address +
                         ", " + config_.daemons[pair_[1]].address + ") answered within " +
                         std::to_string(kFailoverBoundMs) + " ms: " + last.message());
}

}  // namespace hastore::replicated
