// Agents in one process, for the HA tests (agent_test.cc, migration_test.cc): servers of one
// cluster on the local authority, each with a host that records what is active on it and an
// authority the test can cut off, as if the server lost its network.
// HASTORE_TEST_LOG=1 prints the agents' logs.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "common/temp_dir.h"
#include "hastore/ha/agent.h"
#include "hastore/ha/local_lease_authority.h"

namespace hastore::ha {

// Remembers which instances are active on its server.
class RecordingHost : public InstanceHost {
 public:
  Status Activate(const std::string& instance, Store& store, uint64_t epoch) override {
    Transaction txn = store.Begin();  // the store works under its new epoch
    Result<Connection> c = store.OpenConnection("probe");
    if (!c.ok()) return c.status();
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

// Polls until `pred` holds, for at most `bound` (generous: these are not timing tests).
template <class Pred>
bool Eventually(Pred pred, std::chrono::milliseconds bound = std::chrono::seconds(20)) {
  const auto until = std::chrono::steady_clock::now() + bound;
  while (std::chrono::steady_clock::now() < until) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return pred();
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
};

}  // namespace hastore::ha
