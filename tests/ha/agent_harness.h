// Agents in one process, for the HA tests (agent_test.cc, migration_test.cc): servers of one
// cluster on the local authority, each with a host that records what is active on it and an
// authority the test can cut off, as if the server lost its network.
// HASTORE_TEST_LOG=1 prints the agents' logs.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "common/eventually.h"
#include "common/temp_dir.h"
#include "hastore/ha/agent.h"
#include "hastore/ha/cluster_status.h"
#include "hastore/ha/local_lease_authority.h"

namespace hastore::ha {

// Remembers which instances are active on its server.
class RecordingHost : public InstanceHost {
 public:
  // Commits one record before it calls the instance active: the new owner can write under its
  // epoch (a store still fenced by an older owner, or not really open, fails the activation).
  Status Activate(const std::string& instance, Store& store, uint64_t epoch) override {
    Result<Connection> c = store.OpenConnection("probe");
    if (!c.ok()) return c.status();
    Transaction txn = store.Begin();
    Result<Handle> h = txn.Create(*c, "activated at epoch " + std::to_string(epoch));
    if (!h.ok()) return h.status();
    HASTORE_RETURN_IF_ERROR(store.Commit(std::move(txn)));
    std::lock_guard lock(mu_);
    active_[instance] = epoch;
    ++activations_;
    return Status::Ok();
  }
  void Deactivate(const std::string& instance, std::string_view) override {
    std::lock_guard lock(mu_);
    active_.erase(instance);
  }
  std::set<std::string> Active() const {
    std::lock_guard lock(mu_);
    std::set<std::string> out;
    for (const auto& [i, e] : active_) out.insert(i);
    return out;
  }
  // The epoch `instance` is active under here; 0 when it is not active here.
  uint64_t EpochOf(const std::string& instance) const {
    std::lock_guard lock(mu_);
    auto it = active_.find(instance);
    return it == active_.end() ? 0 : it->second;
  }
  int activations() const {
    std::lock_guard lock(mu_);
    return activations_;
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, uint64_t> active_;
  int activations_ = 0;
};

// A lease authority that can be cut off, as if the server lost its network.
class SeveredAuthority : public LeaseAuthority {
 public:
  explicit SeveredAuthority(std::shared_ptr<LeaseAuthority> inner) : inner_(std::move(inner)) {}
  void Sever() { severed_ = true; }
  void Heal() { severed_ = false; }

  Result<Lease> Acquire(std::string_view n, const LeaseHolder& h, uint64_t t, uint64_t g) override {
    if (severed_) return Down();
    return inner_->Acquire(n, h, t, g);
  }
  Result<std::vector<Lease>> RenewAll(const LeaseHolder& h, uint64_t t) override {
    if (severed_) return Down();
    return inner_->RenewAll(h, t);
  }
  Status Release(const Lease& l) override { return severed_ ? Down() : inner_->Release(l); }
  Result<std::optional<LeaseView>> Find(std::string_view n) override {
    if (severed_) return Down();
    return inner_->Find(n);
  }
  Result<std::vector<LeaseView>> List(std::string_view p) override {
    if (severed_) return Down();
    return inner_->List(p);
  }
  Status PutRecord(const Lease* g, std::string_view k, std::string_view v) override {
    return severed_ ? Down() : inner_->PutRecord(g, k, v);
  }
  Status EraseRecord(const Lease* g, std::string_view k) override { return severed_ ? Down() : inner_->EraseRecord(g, k); }
  Result<std::optional<std::string>> GetRecord(std::string_view k) override {
    if (severed_) return Down();
    return inner_->GetRecord(k);
  }
  Result<std::vector<ClusterRecord>> ListRecords(std::string_view p) override {
    if (severed_) return Down();
    return inner_->ListRecords(p);
  }
  Result<int64_t> NowMs() override {
    if (severed_) return Down();
    return inner_->NowMs();
  }
  std::string Describe() const override { return "severable " + inner_->Describe(); }

 private:
  static Status Down() { return Status::IOError("the lease authority is unreachable (severed by the test)"); }
  std::shared_ptr<LeaseAuthority> inner_;
  std::atomic<bool> severed_{false};
};

using testing::Eventually;

// The server of `status` by name; nullptr if it is not there (FindInstance: cluster_status.h).
inline const ServerStatus* FindServer(const ClusterStatus& status, std::string_view server) {
  for (const ServerStatus& s : status.servers) {
    if (s.name == server) return &s;
  }
  return nullptr;
}

// A fixture of servers started in the test's process; every one still running is shut down at
// the end. Leases and stores go under dir_.
class InProcessCluster : public ::testing::Test {
 protected:
  struct Server {
    RecordingHost host;
    std::shared_ptr<SeveredAuthority> authority;
    std::unique_ptr<Agent> agent;
  };

  void StartServer(const ClusterConfig& config, const std::string& name, StoreOpener opener = nullptr) {
    auto local = OpenLocalLeaseAuthority(config.leasing.directory);
    ASSERT_TRUE(local.ok()) << local.status().ToString();
    auto& s = servers_[name];
    s = std::make_unique<Server>();
    s->authority = std::make_shared<SeveredAuthority>(std::shared_ptr<LeaseAuthority>(std::move(*local)));
    AgentOptions o;
    o.config = config;
    o.server = name;
    o.host = &s->host;
    o.authority = s->authority;
    o.open_store = std::move(opener);
    if (std::getenv("HASTORE_TEST_LOG") != nullptr) o.log = [](std::string_view line) {
      std::fprintf(stderr, "%.*s\n", static_cast<int>(line.size()), line.data());
    };
    Result<std::unique_ptr<Agent>> agent = Agent::Start(std::move(o));
    ASSERT_TRUE(agent.ok()) << agent.status().ToString();
    s->agent = std::move(*agent);
  }

  std::set<std::string> Active(const std::string& server) { return servers_[server]->host.Active(); }

  // The cluster of `config` as `hastore status` shows it, read through a handle of the test's
  // own on its authority (a server's handle may be severed); nullopt if it cannot be read.
  std::optional<ClusterStatus> ReadStatus(const ClusterConfig& config) {
    std::shared_ptr<LeaseAuthority>& observer = observers_[config.leasing.directory];
    if (!observer) {
      Result<std::unique_ptr<LeaseAuthority>> local = OpenLocalLeaseAuthority(config.leasing.directory);
      if (!local.ok()) return std::nullopt;
      observer = std::move(*local);
    }
    Result<ClusterStatus> status = ReadClusterStatus(*observer, config);
    if (!status.ok()) return std::nullopt;
    return std::move(*status);
  }

  // Cluster `name` of ms1..ms3 leasing under dir_ with short leases (100 ms x 4, no grace), no stores.
  ClusterConfig ShortLeaseCluster(const std::string& name) const {
    ClusterConfig c;
    c.name = name;
    c.configured_servers = {"ms1", "ms2", "ms3"};
    c.leasing.directory = dir_.path() + "/leases";
    c.leasing.health_check_interval_ms = 100;
    c.leasing.health_check_periods_until_fencing = 4;
    c.leasing.fencing_grace_period_ms = 0;
    return c;
  }
  // A distributed cluster-targeted file store `name` under dir_ (policy left to the test).
  ClusterStore FileStore(const std::string& name) const {
    ClusterStore s;
    s.store.name = name;
    s.store.kind = StoreKind::kFile;
    s.store.distribution = Distribution::kDistributed;
    s.store.file.directory = dir_.path() + "/shared";
    s.store.file.sync_policy = SyncPolicy::kCacheFlush;
    return s;
  }

  void TearDown() override {
    for (auto& [name, s] : servers_) {
      if (s && s->agent) (void)s->agent->Shutdown();
    }
  }

  testing::TempDir dir_;
  std::map<std::string, std::unique_ptr<Server>> servers_;
  std::map<std::string, std::shared_ptr<LeaseAuthority>> observers_;  // by leasing directory
};

}  // namespace hastore::ha
