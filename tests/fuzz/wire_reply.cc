// The replication protocol, daemon to client (replicated/FORMAT.md, "Frames"): replies as a
// client receives them from whatever answers at a daemon's address. A fake daemon in this
// process answers every request with the input: as raw bytes (frame header included) when its
// first byte is 0xFF, else as the body of a well-formed frame; then it closes the connection.
// The real client code reads it: a client's HELLO (DaemonClient::Connect) and an operator's
// STATUS (QueryDaemon, `hastore rsd-admin daemons`). Nothing may crash, hang or take memory the
// bytes do not justify; what they report must be what the reply says.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>

#include "daemon_client.h"
#include "hastore/internal/check.h"
#include "hastore/replicated/daemon_admin.h"
#include "socket.h"
#include "wire.h"

namespace hastore::replicated {
namespace {

class FakeDaemon {
 public:
  FakeDaemon() {
    std::string base = std::filesystem::temp_directory_path() / "hastore-fuzz-reply-XXXXXX";
    HASTORE_CHECK(::mkdtemp(base.data()) != nullptr, "mkdtemp");
    config_.region_size = 1 << 20;
    config_.daemons = {DaemonAddress{base + "/rsd.sock", "", base}, DaemonAddress{base + "/rsd.sock", "", base}};
    Result<std::unique_ptr<Listener>> l = Listener::Listen(config_.daemons[0].address);
    HASTORE_CHECK(l.ok(), l.status().ToString());
    listener_ = std::move(*l);
    std::thread([this] { Serve(); }).detach();  // lives for the whole run
  }

  void Answer(std::string_view input) {
    std::lock_guard lock(mu_);
    raw_ = !input.empty() && static_cast<uint8_t>(input[0]) == 0xFF;
    answer_ = raw_ ? input.substr(1) : input;
  }
  const DaemonConfig& config() const { return config_; }

 private:
  void Serve() {
    for (;;) {
      Result<std::unique_ptr<Socket>> s = listener_->Accept();
      if (!s.ok()) continue;
      (*s)->SetTimeout(1000);
      if (!(*s)->Receive().ok()) continue;
      std::lock_guard lock(mu_);
      (void)(raw_ ? (*s)->Send(answer_) : (*s)->SendFrame({answer_}));
    }
  }

  DaemonConfig config_;
  std::unique_ptr<Listener> listener_;
  std::mutex mu_;
  bool raw_ = false;
  std::string answer_;
};

}  // namespace
}  // namespace hastore::replicated

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hastore::replicated;
  static FakeDaemon* fake = new FakeDaemon();
  fake->Answer(std::string_view(reinterpret_cast<const char*>(data), size));
  DaemonInfo info = QueryDaemon(fake->config(), 0);
  HASTORE_CHECK(info.reachable.ok() || info.instances.empty() || info.instances.size() <= size,
                "more instances than the reply has bytes");
  DaemonClient client(fake->config(), "fz");
  (void)client.Connect();
  return 0;
}
