// Replication daemons for tests: a configuration of `n` daemons on loopback addresses
// 127.0.0.2, 127.0.0.3, ... (free ports), each with a directory under a temporary one, and
// the daemons started in this process (or left for the test to run as processes).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/eventually.h"
#include "common/temp_dir.h"
#include "hastore/replicated/daemon.h"

namespace hastore::testing {

// A TCP port free on `host` now (the kernel's choice).
inline int FreePort(const std::string& host) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  ::inet_pton(AF_INET, host.c_str(), &a.sin_addr);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  socklen_t len = sizeof(a);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

class DaemonCluster {
 public:
  explicit DaemonCluster(int n = 2, uint64_t region_size = 64ull << 20) {
    config_.region_size = region_size;
    config_.flush_interval_ms = 200;
    for (int i = 0; i < n; ++i) {
      const std::string host = "127.0.0." + std::to_string(i + 2);
      replicated::DaemonAddress d;
      d.address = host + ":" + std::to_string(FreePort(host));
      d.directory = dir_.path() + "/rsd" + std::to_string(i);
      config_.daemons.push_back(d);
    }
    daemons_.resize(n);
  }
  ~DaemonCluster() {
    for (auto& d : daemons_) {
      if (d) d->Stop();
    }
  }

  // Starts daemon i in this process and waits until it serves.
  ::testing::AssertionResult Start(int i) {
    Result<std::unique_ptr<replicated::Daemon>> d = replicated::Daemon::Start(config_, i, options_);
    if (!d.ok()) return ::testing::AssertionFailure() << d.status().ToString();
    daemons_[i] = std::move(*d);
    if (!Eventually([&] { return daemons_[i]->serving(); })) return ::testing::AssertionFailure() << "daemon " << i << " never served";
    return ::testing::AssertionSuccess();
  }
  // Starts every daemon (they wait for each other, so all start before any is waited for).
  ::testing::AssertionResult StartAll() {
    for (size_t i = 0; i < daemons_.size(); ++i) {
      Result<std::unique_ptr<replicated::Daemon>> d = replicated::Daemon::Start(config_, static_cast<int>(i), options_);
      if (!d.ok()) return ::testing::AssertionFailure() << d.status().ToString();
      daemons_[i] = std::move(*d);
    }
    for (size_t i = 0; i < daemons_.size(); ++i) {
      if (!Eventually([&] { return daemons_[i]->serving(); })) return ::testing::AssertionFailure() << "daemon " << i << " never served";
    }
    return ::testing::AssertionSuccess();
  }
  void Stop(int i) {
    if (daemons_[i]) daemons_[i]->Stop();
    daemons_[i].reset();
  }

  replicated::DaemonConfig& config() { return config_; }
  replicated::DaemonOptions& options() { return options_; }
  replicated::Daemon* daemon(int i) { return daemons_[i].get(); }
  const std::string& dir() const { return dir_.path(); }

 private:
  TempDir dir_;
  replicated::DaemonConfig config_;
  replicated::DaemonOptions options_;
  std::vector<std::unique_ptr<replicated::Daemon>> daemons_;
};

}  // namespace hastore::testing
