// Agents in one process, on the local authority with short leases: placement, takeover after an
// agent loses its authority, orderly shutdown per policy, restart in place then migration.
// (Agents as separate processes, killed and paused, are in the agent process tests.)
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "common/temp_dir.h"
#include "hastore/filestore/file_store.h"
#include "hastore/ha/agent.h"
#include "hastore/ha/local_lease_authority.h"

namespace hastore::ha {
namespace {

using namespace std::chrono_literals;

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

class AgentTest : public ::testing::Test {
 protected:
  ClusterConfig Config(MigrationPolicy policy) {
    ClusterConfig c;
    c.name = "t";
    c.configured_servers = {"ms1", "ms2", "ms3"};
    c.leasing.directory = dir_.path() + "/leases";
    c.leasing.health_check_interval_ms = 100;
    c.leasing.health_check_periods_until_fencing = 4;
    c.leasing.fencing_grace_period_ms = 0;
    ClusterStore s;
    s.store.name = "q";
    s.store.kind = StoreKind::kFile;
    s.store.distribution = Distribution::kDistributed;
    s.store.file.directory = dir_.path() + "/shared";
    s.store.file.sync_policy = SyncPolicy::kCacheFlush;
    s.policy.migration = policy;
    s.policy.restart.restart_in_place = policy != MigrationPolicy::kOff;
    s.policy.restart.seconds_between_restarts = 0;
    s.policy.restart.number_of_restart_attempts = 2;
    s.policy.initial_boot_delay_seconds = 0;
    s.policy.partial_cluster_stability_delay_seconds = 0;
    c.stores.push_back(s);
    return c;
  }

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
    Result<std::unique_ptr<Agent>> agent = Agent::Start(std::move(o));
    ASSERT_TRUE(agent.ok()) << agent.status().ToString();
    s->agent = std::move(*agent);
  }

  // Polls until `pred` holds, for at most `bound` (generous: this is not a timing test).
  template <class Pred>
  bool Eventually(Pred pred, std::chrono::milliseconds bound = 20s) {
    const auto until = std::chrono::steady_clock::now() + bound;
    while (std::chrono::steady_clock::now() < until) {
      if (pred()) return true;
      std::this_thread::sleep_for(20ms);
    }
    return pred();
  }

  std::set<std::string> Active(const std::string& server) { return servers_[server]->host.Active(); }

  void TearDown() override {
    for (auto& [name, s] : servers_) {
      if (s && s->agent) (void)s->agent->Shutdown();
    }
  }

  testing::TempDir dir_;
  std::map<std::string, std::unique_ptr<Server>> servers_;
};

TEST_F(AgentTest, EachDistributedInstanceRunsOnItsOwnServer) {
  const ClusterConfig c = Config(MigrationPolicy::kOnFailure);
  for (const char* s : {"ms1", "ms2", "ms3"}) StartServer(c, s);
  EXPECT_TRUE(Eventually([&] {
    return Active("ms1") == std::set<std::string>{"q@ms1"} && Active("ms2") == std::set<std::string>{"q@ms2"} &&
           Active("ms3") == std::set<std::string>{"q@ms3"};
  })) << "ms1 " << Active("ms1").size() << ", ms2 " << Active("ms2").size() << ", ms3 " << Active("ms3").size();
  int masters = 0;
  for (auto& [n, s] : servers_) masters += s->agent->is_master();
  EXPECT_EQ(masters, 1);
}

TEST_F(AgentTest, AServerCutOffFromTheAuthorityFencesItselfAndItsInstanceMoves) {
  const ClusterConfig c = Config(MigrationPolicy::kOnFailure);
  for (const char* s : {"ms1", "ms2", "ms3"}) StartServer(c, s);
  ASSERT_TRUE(Eventually([&] { return Active("ms1").count("q@ms1") && Active("ms2").count("q@ms2") && Active("ms3").count("q@ms3"); }));
  servers_["ms2"]->authority->Sever();
  EXPECT_TRUE(Eventually([&] { return Active("ms2").empty(); })) << "ms2 did not stop its instance";
  EXPECT_GE(servers_["ms2"]->agent->self_fences(), 1u);
  EXPECT_TRUE(Eventually([&] { return Active("ms1").count("q@ms2") + Active("ms3").count("q@ms2") == 1; }))
      << "q@ms2 was not taken over";
  // Back on the network, ms2 rejoins; failback (-1: at once) brings q@ms2 home.
  servers_["ms2"]->authority->Heal();
  EXPECT_TRUE(Eventually([&] { return Active("ms2") == std::set<std::string>{"q@ms2"}; }));
  EXPECT_TRUE(Eventually([&] { return !Active("ms1").count("q@ms2") && !Active("ms3").count("q@ms2"); }));
}

TEST_F(AgentTest, AnOrderlyShutdownMovesInstancesOnlyUnderAlways) {
  for (MigrationPolicy policy : {MigrationPolicy::kOnFailure, MigrationPolicy::kAlways}) {
    SCOPED_TRACE(std::string(ToString(policy)));
    TearDown();
    servers_.clear();
    ClusterConfig c = Config(policy);
    c.stores[0].store.name = policy == MigrationPolicy::kAlways ? "always" : "onfailure";
    c.name = c.stores[0].store.name;
    c.leasing.directory = dir_.path() + "/leases-" + c.name;
    const std::string i3 = c.stores[0].store.name + "@ms3";
    for (const char* s : {"ms1", "ms2", "ms3"}) StartServer(c, s);
    ASSERT_TRUE(Eventually([&] { return Active("ms3").count(i3) == 1; }));
    ASSERT_TRUE(servers_["ms3"]->agent->Shutdown().ok());
    const auto elsewhere = [&] { return Active("ms1").count(i3) + Active("ms2").count(i3); };
    if (policy == MigrationPolicy::kAlways) {
      EXPECT_TRUE(Eventually([&] { return elsewhere() == 1; }));
    } else {
      std::this_thread::sleep_for(1500ms);  // several leases: it would have moved by now
      EXPECT_EQ(elsewhere(), 0u);
    }
  }
}

TEST_F(AgentTest, AFailingInstanceIsRestartedInPlaceThenMoved) {
  const ClusterConfig c = Config(MigrationPolicy::kOnFailure);
  std::atomic<int> ms1_attempts{0};
  // q@ms1 will not open on ms1; everything else opens normally.
  auto opener_for = [&](const std::string& server) -> StoreOpener {
    return [&, server](const StoreConfig& config, const Ownership& ownership) -> Result<std::unique_ptr<Store>> {
      if (server == "ms1" && config.instance() == "q@ms1") {
        ++ms1_attempts;
        return Status::IOError("test: the disk of " + config.instance() + " is gone on ms1");
      }
      return OpenFileStore(config, ownership);
    };
  };
  for (const char* s : {"ms1", "ms2", "ms3"}) StartServer(c, s, opener_for(s));
  EXPECT_TRUE(Eventually([&] { return Active("ms2").count("q@ms1") + Active("ms3").count("q@ms1") == 1; }))
      << "attempts on ms1: " << ms1_attempts.load();
  // Restart attempts 2: the first try and two restarts in place, then it moved.
  EXPECT_EQ(ms1_attempts.load(), 3);
}

}  // namespace
}  // namespace hastore::ha
