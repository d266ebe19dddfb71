// The replication protocol, client to daemon (replicated/FORMAT.md, "Frames"): requests as a
// daemon receives them from any client or partner that reaches its port. A daemon runs in this
// process (serving alone; its partner's socket does not exist, so it goes on without it); each
// input is a sequence of requests separated by kSplit, sent on one connection: a request
// starting with 0xFF goes as raw bytes (frame header included, on a connection of its own that
// is then closed, without the authentication handshake, so it meets the daemon's handshake
// decoder), any other as the body of a well-formed frame on an authenticated connection.
// Invariants: the daemon answers every well-formed frame with a reply that parses and carries
// the request's id.
#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>

#include "hastore/internal/check.h"
#include "authenticate.h"
#include "hastore/replicated/daemon.h"
#include "socket.h"
#include "wire.h"

namespace hastore::replicated {
namespace {

constexpr std::string_view kSplit = "=FZNEXT=";
constexpr int kInputsPerDaemon = 4096;  // then a fresh daemon and directory, so state stays small
constexpr uint64_t kIoTimeoutMs = 5000;

class DaemonUnderTest {
 public:
  DaemonUnderTest() { Start(); }

  // A connection to the daemon (authenticated with the daemons' key, or not at all),
  // restarting the daemon every kInputsPerDaemon inputs.
  std::unique_ptr<Socket> Connect(bool authenticated) {
    if (++inputs_ % kInputsPerDaemon == 0) {
      daemon_->Stop();
      daemon_.reset();
      std::filesystem::remove_all(dir_);
      Start();
    }
    Result<std::unique_ptr<Socket>> s = authenticated
                                            ? ConnectToDaemon(config_, config_.daemons[0].address, 1000, kIoTimeoutMs)
                                            : Socket::Connect(config_.daemons[0].address, 1000, kIoTimeoutMs);
    HASTORE_CHECK(s.ok(), "connecting to the daemon under test: " + s.status().ToString());
    return std::move(*s);
  }

 private:
  void Start() {
    // Memory-backed where there is one: the daemon syncs its catalogue at every claim.
    std::error_code ec;
    const std::filesystem::path tmp =
        std::filesystem::is_directory("/dev/shm", ec) ? "/dev/shm" : std::filesystem::temp_directory_path();
    std::string base = tmp / "hastore-fuzz-rsd-XXXXXX";
    HASTORE_CHECK(::mkdtemp(base.data()) != nullptr, "mkdtemp");
    dir_ = base;
    config_ = DaemonConfig{};
    config_.region_size = 1 << 20;
    config_.daemons = {DaemonAddress{dir_ + "/rsd0.sock", "", dir_ + "/d0"},
                       DaemonAddress{dir_ + "/rsd1.sock", "", dir_ + "/d1"}};  // never started
    config_.auth_key_file = dir_ + "/rsd.key";
    config_.auth_key = std::string(32, 'k');
    {
      std::ofstream(config_.auth_key_file) << config_.auth_key;
      std::filesystem::permissions(config_.auth_key_file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
                                   std::filesystem::perm_options::replace);
    }
    Result<std::unique_ptr<Daemon>> d = Daemon::Start(config_, 0, DaemonOptions{.serve_alone = true});
    HASTORE_CHECK(d.ok(), "starting the daemon under test: " + d.status().ToString());
    daemon_ = std::move(*d);
  }

  std::string dir_;
  DaemonConfig config_;
  std::unique_ptr<Daemon> daemon_;
  int inputs_ = 0;
};

// Raw bytes on a connection of their own, which is then half-closed: whatever the daemon makes
// of them, it must not hang or crash. Its answer, if any, is read until it closes.
void SendRaw(DaemonUnderTest& d, std::string_view bytes) {
  std::unique_ptr<Socket> s = d.Connect(/*authenticated=*/false);
  if (!s->Send(bytes).ok()) return;
  ::shutdown(s->fd(), SHUT_WR);
  while (s->Receive().ok()) {
  }
}

uint64_t RequestId(std::string_view body) {
  MessageReader r(body);
  (void)r.U8();
  Result<uint64_t> id = r.U64();
  return id.ok() ? *id : 0;
}

}  // namespace
}  // namespace hastore::replicated

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hastore::replicated;
  static DaemonUnderTest* daemon = new DaemonUnderTest();  // lives for the whole run
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::unique_ptr<Socket> link;
  for (;;) {
    const size_t split = input.find(kSplit);
    const std::string_view request = input.substr(0, split);
    if (!request.empty() && static_cast<uint8_t>(request[0]) == 0xFF) {
      SendRaw(*daemon, request.substr(1));
    } else {
      if (!link) link = daemon->Connect(/*authenticated=*/true);
      hastore::Status sent = link->SendFrame({request});
      hastore::Result<std::string> answer = sent.ok() ? link->Receive() : hastore::Result<std::string>(sent);
      if (answer.ok()) {
        hastore::Result<Reply> reply = Reply::Parse(*answer);
        HASTORE_CHECK(reply.ok(), "the daemon's answer is not a reply: " + reply.status().ToString());
        HASTORE_CHECK(RequestId(*answer) == RequestId(request), "a reply with another request's id");
      } else {
        // The daemon closes a connection whose request has no operation and id, and after a
        // shutdown; nothing else may end it, and never by a timeout (a daemon that hangs).
        HASTORE_CHECK(!link->timed_out(), "the daemon did not answer in " + std::to_string(kIoTimeoutMs) + " ms");
        link.reset();
      }
    }
    if (split == std::string_view::npos) break;
    input.remove_prefix(split + kSplit.size());
  }
  return 0;
}
