// The agent (agent.h): one thread that ticks. Each tick: renew or self-fence, master duty,
// claims and give-ups, the scripts of migrations (migration_steps.h), health of the local
// instances.
#include "hastore/ha/agent.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "cluster_records.h"
#include "cluster_view.h"
#include "hastore/filestore/file_store.h"
#include "hastore/ha/open_authority.h"
#include "hastore/jdbcstore/jdbc_store.h"
#include "hastore/replicated/replicated_store.h"
#include "hastore/storage/guarded_store.h"
#include "hastore/storage/log.h"
#include "instance_index.h"
#include "lease_keeper.h"
#include "migration_steps.h"
#include "store_openings.h"

namespace hastore::ha {

namespace {

std::string NewSession() {
  char host[256] = {};
  ::gethostname(host, sizeof(host) - 1);
  std::random_device random;
  return std::to_string(::getpid()) + "@" + host + "/" + std::to_string(random());
}

Result<std::unique_ptr<Store>> OpenAnyStore(const StoreConfig& config, const Ownership& ownership) {
  switch (config.kind) {
    case StoreKind::kFile: return OpenFileStore(config, ownership);
    case StoreKind::kJdbc: return OpenJdbcStore(config, ownership);
    case StoreKind::kReplicated: return OpenReplicatedStore(config, ownership);
  }
  return Status::NotSupported("store kind of " + config.instance());
}

struct Running {
  std::unique_ptr<Store> store;
  uint64_t epoch = 0;
  int64_t since_ms = 0;      // authority time it became active
  int64_t settle_ms = 0;     // its Seconds Between Restarts: active this long, its failures are cleared
  bool failure_cleared = false;
};

class AgentImpl final : public Agent {
 public:
  AgentImpl(AgentOptions options, std::shared_ptr<LeaseAuthority> authority, Clock& clock)
      : o_(std::move(options)),
        authority_(std::move(authority)),
        clock_(clock),
        keeper_(*authority_, clock_, LeaseHolder{o_.server, NewSession()}, o_.config.leasing.lease_ttl_ms(),
                o_.config.leasing.fencing_grace_period_ms),
        instances_(o_.config),
        migrations_(*authority_, instances_, o_.server, [this](const std::string& line) { Log(line); }),
        openings_(o_.open_store ? o_.open_store : StoreOpener(OpenAnyStore)) {
    const uint64_t interval = o_.config.leasing.health_check_interval_ms;
    tick_ms_ = o_.tick_ms != 0 ? o_.tick_ms : std::clamp<uint64_t>(interval / 4, 1, 100);
  }

  ~AgentImpl() override { (void)Shutdown(); }

  // Takes the server lease, waiting out a previous run's lease (it may be our own crashed run).
  Status Join() {
    const uint64_t patience = keeper_.ttl_ms() + o_.config.leasing.fencing_grace_period_ms + 2000;
    const uint64_t until = NowLocalMs() + patience;
    for (;;) {
      Result<Lease> lease = keeper_.Acquire(ServerLeaseName(o_.server));
      if (lease.ok()) break;
      if (lease.status().code() != StatusCode::kLocked || NowLocalMs() >= until) return lease.status();
      clock_.SleepForNanos(tick_ms_ * 1000000);
    }
    HASTORE_RETURN_IF_ERROR(RecordUp());
    Log("joined cluster " + o_.config.name + " as " + o_.server + " (" + authority_->Describe() + ")");
    heartbeat_ = std::thread([this] { HeartbeatLoop(); });
    thread_ = std::thread([this] { Loop(); });
    return Status::Ok();
  }

  Status Shutdown() override {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return Status::Ok();
      stopping_ = true;
    }
    wake_.notify_all();
    if (heartbeat_.joinable()) heartbeat_.join();
    if (thread_.joinable()) thread_.join();
    HandleLost();
    Status first;
    for (StoreOpenings::Opened& opened : openings_.WaitAll()) {
      if (opened.store.ok()) (void)(*opened.store)->Close();
      Status s = keeper_.Release(InstanceLeaseName(opened.instance));
      if (first.ok() && !s.ok()) first = s;
    }
    for (auto& [instance, run] : running_) {
      Status s = Stop(instance, run, "the server is shutting down");
      if (s.ok()) s = keeper_.Release(InstanceLeaseName(instance));
      if (first.ok() && !s.ok()) first = s;
    }
    running_.clear();
    for (const std::string& instance : migrations_.AbandonAll()) {
      Status s = keeper_.Release(InstanceLeaseName(instance));
      if (first.ok() && !s.ok()) first = s;
    }
    Result<int64_t> now = authority_->NowMs();
    if (now.ok() && keeper_.Holds(ServerLeaseName(o_.server))) {
      Status s = authority_->PutRecord(nullptr, ServerRecordKey(o_.server), Encode(ServerRecord{-1, *now}));
      if (first.ok() && !s.ok()) first = s;
    }
    for (const std::string& name : {std::string(kMasterLeaseName), ServerLeaseName(o_.server)}) {
      Status s = keeper_.Release(name);
      if (first.ok() && !s.ok()) first = s;
    }
    Log("shut down");
    return first;
  }

  std::vector<LocalInstance> Instances() const override {
    std::lock_guard lock(status_mu_);
    return status_;
  }
  bool is_master() const override { return master_.load(); }
  uint64_t self_fences() const override { return self_fences_.load(); }

 private:
  uint64_t NowLocalMs() const { return clock_.NowMonotonicMs(); }
  void Log(const std::string& line) const {
    if (o_.log) {
      o_.log(o_.server + ": " + line);
    } else {
      Logger()->info("{}: {}", o_.server, line);
    }
  }

  void Loop() {
    std::unique_lock lock(mu_);
    while (!stopping_) {
      lock.unlock();
      Tick();
      PublishStatus();
      lock.lock();
      wake_.wait_for(lock, std::chrono::milliseconds(tick_ms_), [this] { return stopping_ || !lost_.empty(); });
    }
  }

  void Tick() {
    HandleLost();
    if (!keeper_.Trusted()) {
      SelfFence();
      return;
    }
    Result<int64_t> now = authority_->NowMs();
    if (!now.ok()) return;  // the heartbeat decides when an unreachable authority means fencing
    std::optional<std::map<std::string, Assignment>> plan = MasterDuty(*now);
    if (!plan) plan = ReadPlan();
    if (plan) FollowPlan(*plan, *now);
    FinishScripts();
    FinishOpens(*now);
    CheckHealth(*now);
  }

  // ---- leases --------------------------------------------------------------------------------

  // Renewals run on a thread of their own, so a slow tick (a store that takes long to open, a
  // migration script) cannot starve them and make the server fence itself for nothing. What
  // they find lost is handed to the main thread, which alone touches the instances.
  void HeartbeatLoop() {
    const auto interval = std::chrono::milliseconds(o_.config.leasing.health_check_interval_ms);
    std::unique_lock lock(mu_);
    while (!stopping_) {
      wake_.wait_for(lock, interval, [this] { return stopping_; });
      if (stopping_) break;
      lock.unlock();
      Result<std::vector<std::string>> lost = keeper_.Renew();
      if (!lost.ok()) Log("cannot renew leases: " + lost.status().ToString());  // not under mu_
      lock.lock();
      if (!lost.ok()) continue;
      lost_.insert(lost_.end(), lost->begin(), lost->end());
      if (!lost->empty()) wake_.notify_all();
    }
  }

  void HandleLost() {
    std::vector<std::string> lost;
    {
      std::lock_guard lock(mu_);
      lost.swap(lost_);
    }
    for (const std::string& name : lost) {
      if (name == kMasterLeaseName) {
        master_ = false;
        Log("lost the master lease");
      } else if (name == ServerLeaseName(o_.server)) {
        Log("lost its server lease");
        SelfFence();
        return;
      } else if (std::optional<std::string> instance_name = InstanceOfLease(name)) {
        const std::string& instance = *instance_name;
        migrations_.Abandon(instance);
        auto it = running_.find(instance);
        if (it == running_.end()) continue;
        (void)Stop(instance, it->second, "its lease was lost");
        running_.erase(it);
      }
    }
  }

  // The leases cannot be trusted any more: stop everything before anyone else may start it.
  void SelfFence() {
    if (!running_.empty() || keeper_.Holds(ServerLeaseName(o_.server))) {
      ++self_fences_;
      Log("cannot renew its leases in time: fencing itself (" + std::to_string(running_.size()) + " instances)");
    }
    for (auto& [instance, run] : running_) (void)Stop(instance, run, "this server lost its leases");
    running_.clear();
    migrations_.AbandonAll();
    keeper_.ForgetAll();
    master_ = false;
    if (o_.config.on_lease_lost == OnLeaseLost::kExit) {
      Log("exiting (cluster.on_lease_lost = \"exit\")");
      std::_Exit(3);
    }
    // Try to come back: a new server lease under a new epoch, when the authority answers.
    if (keeper_.Acquire(ServerLeaseName(o_.server)).ok()) {
      (void)RecordUp();
      Log("holds its server lease again");
    }
  }

  // Records this server as up since the authority's now (and not shut down), after it took
  // its server lease.
  Status RecordUp() {
    Result<int64_t> now = authority_->NowMs();
    if (!now.ok()) return now.status();
    return authority_->PutRecord(nullptr, ServerRecordKey(o_.server), Encode(ServerRecord{*now, -1}));
  }

  // ---- master --------------------------------------------------------------------------------

  // Holds or takes the master lease and writes the plan. Returns the plan in force (as read,
  // with what it wrote), so the master follows it without reading it again; nullopt when this
  // server is not the master or could not plan.
  std::optional<std::map<std::string, Assignment>> MasterDuty(int64_t now) {
    if (!master_) {
      Result<Lease> lease = keeper_.Acquire(std::string(kMasterLeaseName));
      if (!lease.ok()) return std::nullopt;
      master_ = true;
      Log("is the cluster master (epoch " + std::to_string(lease->epoch) + ")");
    }
    const std::optional<Lease> guard = keeper_.Find(std::string(kMasterLeaseName));
    Result<ClusterSnapshot> snap = ReadClusterSnapshot(*authority_, o_.config, now);
    if (!guard || !snap.ok()) return std::nullopt;
    if (!StartOfRun(*snap, *guard)) return std::nullopt;
    for (const Assignment& a : Plan(o_.config, snap->view)) {
      auto old = snap->plan.find(a.instance);
      if (old != snap->plan.end() && old->second.server == a.server && old->second.not_before_ms == a.not_before_ms)
        continue;
      Status s = authority_->PutRecord(&*guard, PlanKey(a.instance), Encode(a));
      if (s.code() == StatusCode::kFenced) {
        master_ = false;
        return std::nullopt;
      }
      if (!s.ok()) continue;
      Log("plan: " + a.instance + " -> " + (a.server.empty() ? "(none)" : a.server) + ": " + a.reason);
      snap->plan[a.instance] = a;
    }
    return std::move(snap->plan);
  }

  // The plan in force as the master wrote it, by instance; nullopt if it cannot be read now.
  // An assignment that does not decode is left out.
  std::optional<std::map<std::string, Assignment>> ReadPlan() {
    Result<std::vector<ClusterRecord>> records = authority_->ListRecords(PlanKey(""));
    if (!records.ok()) return std::nullopt;
    std::map<std::string, Assignment> plan;
    for (const ClusterRecord& r : *records) {
      Result<Assignment> a = DecodeAssignment(r.key, r.value);
      if (a.ok()) plan[a->instance] = std::move(*a);
    }
    return plan;
  }

  // A cluster run starts when the master finds every other server shut down or never seen
  // (the whole cluster is starting): the boot delays count from then. A crashed server does
  // not start a new run, so the survivors of a crash do not wait out the boot delays again.
  bool StartOfRun(ClusterSnapshot& snap, const Lease& guard) {
    if (start_written_) return true;
    bool cluster_starting = true;
    for (const ServerState& s : snap.view.servers) {
      if (s.name == o_.server) continue;
      const bool never_seen = snap.servers.count(s.name) == 0;
      cluster_starting &= !s.up && (s.shut_down || never_seen);
    }
    if (snap.view.cluster_start_ms >= 0 && !cluster_starting) return true;
    if (!authority_->PutRecord(&guard, kClusterStartKey, EncodeClusterStart(snap.view.now_ms)).ok()) return false;
    start_written_ = true;
    snap.view.cluster_start_ms = snap.view.now_ms;
    return true;
  }

  // ---- instances -----------------------------------------------------------------------------

  // `plan`: instance -> its assignment.
  void FollowPlan(const std::map<std::string, Assignment>& plan, int64_t now) {
    // Give up what the plan moved away (failback, a migration, a new master's view).
    for (auto it = running_.begin(); it != running_.end();) {
      auto where = plan.find(it->first);
      if (where == plan.end() || where->second.server == o_.server) {
        ++it;
        continue;
      }
      const std::string& to = where->second.server;
      (void)Stop(it->first, it->second, "the plan moves it to " + (to.empty() ? "no server" : to));
      // The lease is kept while a post script runs, so the new server starts after it.
      if (!migrations_.AfterStop(it->first, to, NowLocalMs())) (void)keeper_.Release(InstanceLeaseName(it->first));
      it = running_.erase(it);
    }
    // A migration to here that the plan gave up while its scripts ran (its target server went
    // down and the pin lapsed, say): the scripts are killed and the lease goes back.
    for (const std::string& instance : migrations_.Starting()) {
      auto where = plan.find(instance);
      if (where != plan.end() && where->second.server == o_.server) continue;
      migrations_.Abandon(instance);
      (void)keeper_.Release(InstanceLeaseName(instance));
    }
    for (const auto& [instance, a] : plan) {
      if (a.server == o_.server && running_.count(instance) == 0 && !migrations_.Busy(instance) &&
          !openings_.Busy(instance) && now >= a.not_before_ms)
        Claim(instance);
    }
  }

  void Claim(const std::string& instance) {
    if (instances_.Find(instance) == nullptr) return;
    Result<Lease> lease = keeper_.Acquire(InstanceLeaseName(instance));
    if (!lease.ok()) return;  // kLocked: its last owner's lease has not run out yet
    // The migration record is read under the lease: an old server that failed the migration
    // wrote it before it let the lease go.
    switch (migrations_.BeforeStart(instance, NowLocalMs())) {
      case MigrationSteps::Start::kNow: return Open(instance, lease->epoch);
      case MigrationSteps::Start::kAfterScripts: return;  // FinishScripts opens it
      case MigrationSteps::Start::kNotNow: (void)keeper_.Release(InstanceLeaseName(instance)); return;
    }
  }

  void FinishScripts() {
    for (const MigrationSteps::Outcome& done : migrations_.Poll(NowLocalMs())) {
      const std::string name = InstanceLeaseName(done.instance);
      const std::optional<Lease> lease = keeper_.Find(name);
      if (!lease) continue;  // lost meanwhile: HandleLost dealt with it
      if (done.start) {
        Open(done.instance, lease->epoch);
      } else {
        (void)keeper_.Release(name);
      }
    }
  }

  // Starts opening the store of `instance`, whose lease this server holds under `epoch`;
  // FinishOpens activates it.
  void Open(const std::string& instance, uint64_t epoch) {
    const InstanceSpec* spec = instances_.Find(instance);  // Claim found it
    openings_.Start(instance, spec->config, Ownership{epoch, o_.server});
  }

  // Activates the stores whose open finished, or records why they would not open. A store
  // opened under a lease this server has lost meanwhile (it fenced itself, or the lease was
  // taken) is closed unused: its owner is someone else now.
  void FinishOpens(int64_t now) {
    // Leases no longer trusted (this tick's calls took that long): the next tick fences this
    // server, and the stores opened meanwhile are closed then as opened too late.
    if (!keeper_.Trusted()) return;
    for (StoreOpenings::Opened& opened : openings_.Finished()) {
      const std::string& instance = opened.instance;
      const std::optional<Lease> lease = keeper_.Find(InstanceLeaseName(instance));
      if (!lease || lease->epoch != opened.epoch) {
        if (opened.store.ok()) (void)(*opened.store)->Close();
        Log("opened " + instance + " too late: its lease at epoch " + std::to_string(opened.epoch) + " was lost");
        continue;
      }
      Status s = opened.store.ok() ? Status::Ok() : opened.store.status();
      if (s.ok()) *opened.store = GuardWrites(std::move(*opened.store), LeaseGuard(instance));
      if (s.ok() && o_.host != nullptr) s = o_.host->Activate(instance, **opened.store, opened.epoch);
      if (!s.ok()) {
        if (opened.store.ok()) (void)(*opened.store)->Close();
        if (keeper_.Trusted()) {
          RecordFailure(instance, now, "could not start: " + s.ToString());
        } else {
          // The guard refused the host's first writes: this server's leases lapsed, not the
          // instance. No failure is recorded against it; the next tick fences this server.
          Log("could not start " + instance + " as its leases lapsed: " + s.ToString());
        }
        (void)keeper_.Release(InstanceLeaseName(instance));
        continue;
      }
      (void)authority_->PutRecord(nullptr, LastKey(instance), Encode(LastRun{o_.server, opened.epoch, now}));
      const InstanceSpec* spec = instances_.Find(instance);
      const int64_t settle_ms = RestartOf(o_.config, *spec->store).seconds_between_restarts * 1000;
      running_[instance] = Running{std::move(*opened.store), opened.epoch, now, settle_ms, false};
      Log("activated " + instance + " at epoch " + std::to_string(opened.epoch));
      migrations_.AfterActivate(instance, opened.epoch);
    }
  }

  // What an active store asks before and after every write: the server's leases must still be
  // trusted. It holds even while this thread or the heartbeat waits on an authority that does
  // not answer (a hung database, a cut network), when SelfFence cannot run yet: from the moment
  // the trust ends, the store acknowledges nothing.
  WriteGuard LeaseGuard(const std::string& instance) {
    return [this, instance] {
      if (keeper_.Trusted()) return Status::Ok();
      const uint64_t until = keeper_.trusted_until_ms();
      const std::string since =
          until == 0 ? "it gave them up" : "they ended " + std::to_string(static_cast<int64_t>(NowLocalMs() - until)) + " ms ago";
      return Status::Fenced("server " + o_.server + " could not renew its leases in time (" + since + "): instance " +
                            instance + " takes no writes here");
    };
  }

  void CheckHealth(int64_t now) {
    // With the leases lapsed every guarded store reports `fenced`: the next tick's SelfFence
    // stops them all, as one event of this server, not of its instances.
    if (!keeper_.Trusted()) return;
    for (auto it = running_.begin(); it != running_.end();) {
      Running& run = it->second;
      Status health = run.store->Health();
      if (health.ok()) {
        ClearFailuresOnceSettled(it->first, run, now);
        ++it;
        continue;
      }
      (void)Stop(it->first, run, "its store failed: " + health.ToString());
      if (health.code() != StatusCode::kFenced) RecordFailure(it->first, now, health.ToString());
      (void)keeper_.Release(InstanceLeaseName(it->first));
      it = running_.erase(it);
    }
  }

  // Failures count since the instance last ran for Seconds Between Restarts without failing.
  void ClearFailuresOnceSettled(const std::string& instance, Running& run, int64_t now) {
    if (run.failure_cleared || now - run.since_ms < run.settle_ms) return;
    run.failure_cleared = authority_->EraseRecord(nullptr, FailureKey(instance)).ok();
  }

  void RecordFailure(const std::string& instance, int64_t now, const std::string& why) {
    Log(instance + " failed: " + why);
    FailureRecord record;
    Result<std::optional<std::string>> old = authority_->GetRecord(FailureKey(instance));
    if (old.ok() && *old) {
      Result<FailureRecord> decoded = DecodeFailure(FailureKey(instance), **old);
      if (decoded.ok()) record = *decoded;
    }
    if (record.server != o_.server) {
      // It failed elsewhere before: that server is given up on if its restarts ran out there.
      const InstanceSpec* spec = instances_.Find(instance);
      const int64_t attempts = spec ? RestartOf(o_.config, *spec->store).number_of_restart_attempts : 0;
      if (!record.server.empty() && attempts != -1 && static_cast<int64_t>(record.failures) > attempts)
        record.given_up_on.push_back(record.server);
      record.server = o_.server;
      record.failures = 0;
    }
    ++record.failures;
    record.last_ms = now;
    (void)authority_->PutRecord(nullptr, FailureKey(instance), Encode(record));
  }

  Status Stop(const std::string& instance, Running& run, const std::string& why) {
    Log("stopping " + instance + ": " + why);
    if (o_.host != nullptr) o_.host->Deactivate(instance, why);
    return run.store->Close();
  }

  void PublishStatus() {
    std::vector<LocalInstance> now;
    for (const auto& [instance, run] : running_) now.push_back(LocalInstance{instance, "active", run.epoch});
    std::lock_guard lock(status_mu_);
    status_ = std::move(now);
  }

  AgentOptions o_;
  std::shared_ptr<LeaseAuthority> authority_;
  Clock& clock_;
  LeaseKeeper keeper_;  // thread-safe: renewed by heartbeat_, used by thread_
  InstanceIndex instances_;  // the agent's thread only
  MigrationSteps migrations_;  // the agent's thread only (and Shutdown after join)
  StoreOpenings openings_;     // the agent's thread only (and Shutdown after join)
  uint64_t tick_ms_ = 100;
  std::map<std::string, Running> running_;  // the agent's thread only (and Shutdown after join)
  bool start_written_ = false;

  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::vector<std::string> lost_;  // leases the heartbeat found lost, for the main thread
  std::thread heartbeat_, thread_;

  mutable std::mutex status_mu_;
  std::vector<LocalInstance> status_;
  std::atomic<bool> master_{false};
  std::atomic<uint64_t> self_fences_{0};
};

}  // namespace

Result<std::unique_ptr<Agent>> Agent::Start(AgentOptions options) {
  HASTORE_RETURN_IF_ERROR(Validate(options.config));
  const std::vector<std::string> servers = options.config.Servers();
  if (std::find(servers.begin(), servers.end(), options.server) == servers.end())
    return Status::InvalidArgument("server '" + options.server + "' is not a server of cluster " + options.config.name);
  std::shared_ptr<LeaseAuthority> authority = options.authority;
  if (!authority) {
    Result<std::unique_ptr<LeaseAuthority>> opened = OpenLeaseAuthority(options.config);
    if (!opened.ok()) return opened.status();
    authority = std::move(*opened);
  }
  Clock& clock = options.clock != nullptr ? *options.clock : *Clock::Default();
  auto agent = std::make_unique<AgentImpl>(std::move(options), std::move(authority), clock);
  HASTORE_RETURN_IF_ERROR(agent->Join());
  return std::unique_ptr<Agent>(std::move(agent));
}

}  // namespace hastore::ha
