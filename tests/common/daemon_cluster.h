// Replication daemons for tests: a configuration of `n` daemons on loopback addresses
// 127.0.0.2, 127.0.0.3, ... (free ports, replicated::LoopbackDaemons), each with a directory
// under a temporary one and a fresh key (rsd.key in it), started in this process.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/eventually.h"
#include "common/temp_dir.h"
#include "hastore/replicated/daemon.h"

namespace hastore::testing {

class DaemonCluster {
 public:
  explicit DaemonCluster(int n = 2, uint64_t region_size = 64ull << 20)
      : config_(replicated::LoopbackDaemons(n, dir_.path(), region_size)) {
    config_.flush_interval_ms = 200;
    daemons_.resize(n);
  }
  ~DaemonCluster() {
    for (auto& d : daemons_) {
      if (d) d->Stop();
    }
  }

  // Starts daemon i in this process and waits until it serves.
  ::testing::AssertionResult Start(int i) {
    ::testing::AssertionResult launched = Launch(i);
    return launched ? Serving(i) : launched;
  }
  // Starts every daemon (they wait for each other, so all start before any is waited for).
  ::testing::AssertionResult StartAll() {
    for (int i = 0; i < static_cast<int>(daemons_.size()); ++i) {
      if (::testing::AssertionResult launched = Launch(i); !launched) return launched;
    }
    for (int i = 0; i < static_cast<int>(daemons_.size()); ++i) {
      if (::testing::AssertionResult serving = Serving(i); !serving) return serving;
    }
    return ::testing::AssertionSuccess();
  }
  void Stop(int i) {
    if (daemons_[i]) daemons_[i]->Stop();
    daemons_[i].reset();
  }

  // Starts daemon i with `config` instead of the cluster's (another key, say); does not wait.
  ::testing::AssertionResult Launch(int i, const replicated::DaemonConfig& config) {
    Result<std::unique_ptr<replicated::Daemon>> d = replicated::Daemon::Start(config, i, options_);
    if (!d.ok()) return ::testing::AssertionFailure() << d.status().ToString();
    daemons_[i] = std::move(*d);
    return ::testing::AssertionSuccess();
  }
  bool serving(int i) const { return daemons_[i] && daemons_[i]->serving(); }

  replicated::DaemonConfig& config() { return config_; }
  const replicated::DaemonConfig& config() const { return config_; }
  replicated::DaemonOptions& options() { return options_; }
  // The temporary directory: the daemons' directories and the key file are in it.
  const std::string& directory() const { return dir_.path(); }

 private:
  ::testing::AssertionResult Launch(int i) { return Launch(i, config_); }
  ::testing::AssertionResult Serving(int i) {
    if (Eventually([&] { return daemons_[i]->serving(); })) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "daemon " << i << " never served";
  }

  TempDir dir_;
  replicated::DaemonConfig config_;
  replicated::DaemonOptions options_;
  std::vector<std::unique_ptr<replicated::Daemon>> daemons_;
};

}  // namespace hastore::testing
