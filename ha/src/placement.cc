// The placement planner (placement.h): the rules are in the header; this file decides in two
// passes. First every instance that has a place without choosing one is settled: pinned by an
// operator, running where it may stay, its home server up, or a restart in place. Then the
// instances that must move are placed, in name order, so that balance and the fail-over limit
// see every settled instance and the plan is the same for the same view.
//
// Where the rules leave room, this is what we chose and why:
//   - A move is judged on the server the instance lost: its owner, else the server it last ran
//     on (or was last assigned to), else its preferred server — the first of them that is down
//     or out of the cluster. On-Failure keeps an instance whose host was shut down even if it
//     had failed over there, as "its server" in the rules is the one it runs on. A server the
//     view does not list has crashed (it was never seen); one that left the configuration is
//     gone, which every policy but Off treats like a crash, even if it was shut down.
//   - Initial Boot Delay and Partial Cluster Stability Delay hold back only placements away from
//     the preferred server: an instance may start on its own preferred server at once, and one
//     already running never waits. Restart in place is not held back either (it is not a move).
//   - Restart in place concerns instances that are not running; one with a live owner stays.
//   - Failback Delay is about running instances: one that is not running goes to its preferred
//     server as soon as that server is up. Migratable targets have no failback (no such
//     attribute in the reference); they stay where they run.
//   - Choosing a new server: an instance keeps the server it was last assigned to if it still
//     may go there (an assignment not yet claimed), so plans do not flap. Otherwise, for a
//     cluster-targeted store the servers other than the preferred one are equal (the server list
//     is not a preference): the least loaded, then the first by name. A migratable target's
//     candidate list is the user's order of preference: the first that fits.
//   - The fail-over limit bounds new moves only: an instance already running on, pinned to or
//     restarting on a server counts towards the limit but is not evicted by it.
//   - Exactly-Once and Failure-Recovery targets move when their restarts are exhausted (a
//     failure); a Failure-Recovery target that never ran does not start away from its preferred
//     server. Manual targets and server targets never move; both restart in place (a server
//     target with the default restart policy, as it has no policy of its own).
//   - A pin lasts while its server is up. For a Manual target the pin is its new home, so it
//     waits there (unplaced) while that server is down; for the others the normal rules resume.
//     An instance that failed on its pinned server is retried there after the restart delay.
//   - A failed migration holds an instance only while it is not running, so a hold never stops
//     a running instance (the agents fail a migration only when the instance runs nowhere).
//   - A known instance the configuration no longer defines is mapped back by DESIGN §4:
//     `<store>@<server>` to a distributed cluster store, `<store>-01` to a singleton one. Its
//     preferred server is not a member any more, so it moves like one whose server crashed, and
//     it does not wait out the Initial Boot Delay for a server that will not come back.
#include "hastore/ha/placement.h"

#include <algorithm>
#include <map>
#include <optional>
#include <utility>

namespace hastore::ha {

namespace {

// What happened to the server an instance lost: the trigger its policy judges.
enum class Loss : uint8_t { kNone, kCrashed, kShutDown, kGone, kFailed };

struct LostServer {
  std::string server;
  Loss loss = Loss::kNone;
};

// How an instance may move, from its store's target and policy.
struct Rules {
  const ClusterPolicy* cluster = nullptr;  // cluster-targeted: delays, failback, fail-over limit
  bool home_only = true;                   // Off, Manual, a server target
  bool moves_on_shutdown = false;          // Always, Exactly-Once
  bool starts_only_at_home = false;        // Failure-Recovery
  RestartPolicy restart;
  std::string policy;                      // for reasons
};

struct Subject {
  InstanceSpec spec;
  InstanceState state;        // default for an instance the authority does not know yet
  std::string home;           // the preferred server, or a Manual target's pinned server
  Rules rules;
};

bool Contains(const std::vector<std::string>& list, const std::string& s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

// A wait for a reason, rounded up: "12 s".
std::string Seconds(int64_t ms) { return std::to_string((ms + 999) / 1000) + " s"; }

bool RestartAllowed(const RestartPolicy& p, uint32_t failures) {
  if (failures == 0) return true;
  return p.restart_in_place &&
         (p.number_of_restart_attempts == -1 || static_cast<int64_t>(failures) <= p.number_of_restart_attempts);
}

std::string RestartReason(const Subject& s) {
  const int64_t attempts = s.rules.restart.number_of_restart_attempts;
  const std::string n = std::to_string(s.state.failures);
  const std::string on = " on " + s.state.failed_on;
  return attempts == -1 ? "restart " + n + on + " (no limit)" : "restart " + n + " of " + std::to_string(attempts) + on;
}

Rules RulesFor(const ClusterConfig& config, const ClusterStore& store) {
  Rules r;
  switch (store.target_kind) {
    case TargetKind::kCluster:
      r.cluster = &store.policy;
      r.home_only = store.policy.migration == MigrationPolicy::kOff;
      r.moves_on_shutdown = store.policy.migration == MigrationPolicy::kAlways;
      r.policy = ToString(store.policy.migration);
      break;
    case TargetKind::kServer:
      r.policy = "server target";
      break;
    case TargetKind::kMigratableTarget: {
      const MigratableTarget* t = config.FindTarget(store.target);  // Instances() only lists known ones
      r.home_only = t->policy == TargetPolicy::kManual;
      r.moves_on_shutdown = t->policy == TargetPolicy::kExactlyOnce;
      r.starts_only_at_home = t->policy == TargetPolicy::kFailureRecovery;
      r.policy = ToString(t->policy);
      break;
    }
  }
  r.restart = RestartOf(config, store);
  return r;
}

// A known instance the configuration no longer defines; store null if no store matches.
Subject Orphan(const ClusterConfig& config, const std::string& instance) {
  Subject s;
  s.spec.instance = instance;
  if (std::optional<InstanceSpec> spec = OrphanInstance(config, instance)) s.spec = std::move(*spec);
  return s;
}

// Every instance of the configuration and of the view, in name order.
std::vector<Subject> Subjects(const ClusterConfig& config, const ClusterView& view) {
  std::map<std::string, Subject> by_name;
  for (const InstanceSpec& spec : Instances(config)) by_name[spec.instance].spec = spec;
  for (const InstanceState& state : view.instances) {
    auto it = by_name.find(state.instance);
    if (it == by_name.end()) it = by_name.emplace(state.instance, Orphan(config, state.instance)).first;
    it->second.state = state;
  }
  std::vector<Subject> out;
  for (auto& [name, s] : by_name) {
    if (s.spec.store != nullptr) {
      s.rules = RulesFor(config, *s.spec.store);
      const bool manual_pin = s.spec.store->target_kind == TargetKind::kMigratableTarget && s.rules.home_only &&
                              !s.state.pinned_server.empty();
      s.home = manual_pin ? s.state.pinned_server : s.spec.preferred_server;
    }
    out.push_back(std::move(s));
  }
  return out;
}

class Planner {
 public:
  Planner(const ClusterConfig& config, const ClusterView& view) : view_(view), members_(config.Servers()) {
    for (const ServerState& s : view.servers) servers_.emplace(s.name, &s);
  }

  std::vector<Assignment> Run(const std::vector<Subject>& subjects) {
    std::vector<std::optional<Assignment>> plan(subjects.size());
    for (size_t i = 0; i < subjects.size(); ++i) {
      if (subjects[i].spec.store == nullptr) {
        plan[i] = Unplaced(subjects[i], "not placed: no store of the configuration defines it");
      } else if ((plan[i] = Settle(subjects[i]))) {
        Record(subjects[i], *plan[i]);
      }
    }
    for (size_t i = 0; i < subjects.size(); ++i) {
      if (plan[i]) continue;
      plan[i] = Move(subjects[i]);
      Record(subjects[i], *plan[i]);
    }
    std::vector<Assignment> out;
    for (std::optional<Assignment>& a : plan) out.push_back(std::move(*a));
    return out;
  }

 private:
  // ---- the view ----

  const ServerState* Server(const std::string& name) const {
    auto it = servers_.find(name);
    return it == servers_.end() ? nullptr : it->second;
  }
  bool Up(const std::string& name) const {
    const ServerState* s = Server(name);
    return s != nullptr && s->up;
  }
  size_t MembersUp() const {
    return std::count_if(members_.begin(), members_.end(), [this](const std::string& m) { return Up(m); });
  }
  bool Running(const Subject& s) const { return !s.state.owner.empty() && Up(s.state.owner); }
  // Not running, and last failed on a server: a placement there is a restart in place.
  bool Retrying(const Subject& s) const {
    return !Running(s) && s.state.failures > 0 && !s.state.failed_on.empty();
  }

  // ---- the rules ----

  // Why `server` cannot hold the instance for reasons of the server itself; kNone if it can.
  Loss Condition(const Subject& s, const std::string& server) const {
    if (s.rules.cluster && !Contains(members_, server)) return Loss::kGone;
    const ServerState* state = Server(server);
    if (state == nullptr || !state->up) return state != nullptr && state->shut_down ? Loss::kShutDown : Loss::kCrashed;
    if (Contains(s.state.given_up_on, server) ||
        (server == s.state.failed_on && !RestartAllowed(s.rules.restart, s.state.failures)))
      return Loss::kFailed;
    return Loss::kNone;
  }

  bool Allowed(const Subject& s, const std::string& server) const {
    if (server.empty() || Condition(s, server) != Loss::kNone) return false;
    return s.rules.home_only ? server == s.home : Contains(s.spec.candidates, server);
  }

  bool AtFailOverLimit(const Subject& s, const std::string& server) const {
    if (s.rules.cluster == nullptr || s.rules.cluster->fail_over_limit < 0 || server == s.spec.preferred_server)
      return false;
    auto it = failed_over_.find({s.spec.store, server});
    return (it == failed_over_.end() ? 0 : it->second) >= s.rules.cluster->fail_over_limit;
  }

  // ms until a running instance fails back to its preferred server: 0 due, nullopt never.
  std::optional<int64_t> FailbackIn(const Subject& s) const {
    if (s.rules.cluster == nullptr || s.rules.home_only || !Allowed(s, s.spec.preferred_server)) return std::nullopt;
    const int64_t delay = s.rules.cluster->failback_delay_seconds;
    if (delay == 0) return std::nullopt;
    if (delay < 0) return 0;
    const int64_t up_since = Server(s.spec.preferred_server)->up_since_ms;
    return std::max<int64_t>(0, (up_since < 0 ? view_.now_ms : up_since) + delay * 1000 - view_.now_ms);
  }

  // The server the instance lost and how (see the top of the file).
  LostServer LossOf(const Subject& s) const {
    if (s.rules.home_only) return {s.home, Condition(s, s.home)};
    for (const std::string* server : {&s.state.owner, &s.state.last_server, &s.spec.preferred_server}) {
      if (server->empty()) continue;
      const Loss loss = Condition(s, *server);
      if (loss != Loss::kNone) return {*server, loss};
    }
    return {s.state.failed_on.empty() ? s.spec.preferred_server : s.state.failed_on, Loss::kFailed};
  }

  static bool MovesOn(const Rules& rules, Loss loss) {
    return !rules.home_only && (loss != Loss::kShutDown || rules.moves_on_shutdown);
  }

  std::string Describe(const Subject& s, const LostServer& lost) const {
    const std::string who = (lost.server == s.spec.preferred_server ? "preferred server " : "server ") + lost.server;
    switch (lost.loss) {
      case Loss::kShutDown: return who + " is shut down";
      case Loss::kGone: return who + " is no longer in the cluster";
      case Loss::kFailed: return "it failed on " + who;
      case Loss::kCrashed:
      case Loss::kNone: break;
    }
    return who + (NeverSeen(lost.server) ? " is not up" : " crashed");
  }

  // Not among the servers the view knows: never up, as far as the authority remembers.
  bool NeverSeen(const std::string& server) const { return Server(server) == nullptr; }

  std::string_view Why(const LostServer& lost) const {
    switch (lost.loss) {
      case Loss::kShutDown: return "shut down";
      case Loss::kGone: return "no longer in the cluster";
      case Loss::kFailed: return "failed there";
      case Loss::kCrashed:
      case Loss::kNone: break;
    }
    return NeverSeen(lost.server) ? "not up" : "crashed";
  }

  // The delays a cluster-targeted instance waits out before it is placed away from its
  // preferred server; the reason while it waits.
  std::optional<std::string> Wait(const Subject& s) const {
    if (s.rules.cluster == nullptr) return std::nullopt;
    const int64_t age = view_.now_ms - view_.cluster_start_ms;
    const int64_t boot_ms = s.rules.cluster->initial_boot_delay_seconds * 1000;
    // A preferred server that left the cluster will not come back: nothing to wait for.
    const bool awaited = Contains(members_, s.spec.preferred_server) && !Up(s.spec.preferred_server);
    if (age < boot_ms && awaited) return "waiting for initial boot delay (" + Seconds(boot_ms - age) + " left)";
    const int64_t partial_ms = s.rules.cluster->partial_cluster_stability_delay_seconds * 1000;
    const size_t up = MembersUp();
    if (age < partial_ms && up < members_.size()) {
      return "waiting for partial cluster stability delay (" + Seconds(partial_ms - age) + " left, " +
             std::to_string(up) + " of " + std::to_string(members_.size()) + " servers up)";
    }
    return std::nullopt;
  }

  // ---- the decisions ----

  static Assignment Unplaced(const Subject& s, std::string reason) { return {s.spec.instance, "", 0, std::move(reason)}; }

  Assignment Place(const Subject& s, const std::string& server, std::string reason) const {
    Assignment a{s.spec.instance, server, 0, std::move(reason)};
    if (Retrying(s) && server == s.state.failed_on) {
      a.not_before_ms = s.state.last_failure_ms + s.rules.restart.seconds_between_restarts * 1000;
    }
    return a;
  }

  // An instance with a place that needs no choice; nullopt if it must move.
  std::optional<Assignment> Settle(const Subject& s) const {
    const InstanceState& st = s.state;
    if (!st.failed_migration.empty() && !Running(s))
      return Unplaced(s, "not placed: its migration failed (" + st.failed_migration + "); waiting for an operator");
    if (!st.pinned_server.empty() && Up(st.pinned_server))
      return Place(s, st.pinned_server, "pinned to " + st.pinned_server + " by an operator");
    if (Running(s) && Allowed(s, st.owner)) return Stay(s);
    if (Allowed(s, s.home)) {
      const bool restart = Retrying(s) && st.failed_on == s.home;
      return Place(s, s.home, restart ? RestartReason(s) : "preferred server");
    }
    if (Retrying(s) && Allowed(s, st.failed_on)) return Place(s, st.failed_on, RestartReason(s));
    return std::nullopt;
  }

  Assignment Stay(const Subject& s) const {
    const std::string& owner = s.state.owner;
    if (owner == s.spec.preferred_server) return Place(s, owner, "preferred server");
    const std::optional<int64_t> failback = FailbackIn(s);
    if (failback == 0) return Place(s, s.spec.preferred_server, "failback to " + s.spec.preferred_server);
    const std::string pending = failback ? " (failback to " + s.spec.preferred_server + " in " + Seconds(*failback) + ")" : "";
    return Place(s, owner, "stays on " + owner + pending);
  }

  Assignment Move(const Subject& s) const {
    const LostServer lost = LossOf(s);
    const bool never_ran = s.state.owner.empty() && s.state.last_server.empty();
    if (!MovesOn(s.rules, lost.loss) || (s.rules.starts_only_at_home && never_ran))
      return Unplaced(s, "not placed: " + Describe(s, lost) + " and the policy is " + s.rules.policy);
    if (std::optional<std::string> wait = Wait(s)) return Unplaced(s, std::move(*wait));
    bool limited = false;  // some server was refused only by the fail-over limit
    auto fits = [&](const std::string& server) {
      if (!Allowed(s, server)) return false;
      const bool at_limit = AtFailOverLimit(s, server);
      limited = limited || at_limit;
      return !at_limit;
    };
    // An assignment not yet claimed is kept, so the plan does not flap between rounds.
    const std::string* best = fits(s.state.last_server) ? &s.state.last_server : Choose(s, fits);
    if (best == nullptr) {
      return Unplaced(s, limited ? "not placed: fail-over limit " + std::to_string(s.rules.cluster->fail_over_limit) +
                                       " reached on every candidate"
                                 : "not placed: " + Describe(s, lost) + " and no other candidate server is available");
    }
    return Place(s, *best, "failed over from " + lost.server + " (" + std::string(Why(lost)) + ")");
  }

  // A migratable target's candidates are in the user's order: the first that fits. A cluster
  // store's other servers are equal: the least loaded, then the first by name.
  template <typename Fits>
  const std::string* Choose(const Subject& s, Fits& fits) const {
    const std::string* best = nullptr;
    for (const std::string& server : s.spec.candidates) {
      if (!fits(server)) continue;
      if (s.rules.cluster == nullptr) return &server;
      if (best == nullptr || std::pair(Load(server), server) < std::pair(Load(*best), *best)) best = &server;
    }
    return best;
  }

  int64_t Load(const std::string& server) const {
    auto it = load_.find(server);
    return it == load_.end() ? 0 : it->second;
  }

  void Record(const Subject& s, const Assignment& a) {
    if (a.server.empty()) return;
    ++load_[a.server];
    if (a.server != s.spec.preferred_server) ++failed_over_[{s.spec.store, a.server}];
  }

  const ClusterView& view_;
  const std::vector<std::string> members_;
  std::map<std::string, const ServerState*> servers_;
  std::map<std::string, int64_t> load_;  // assignments per server so far
  std::map<std::pair<const ClusterStore*, std::string>, int64_t> failed_over_;  // per store and server
};

}  // namespace

std::vector<Assignment> Plan(const ClusterConfig& config, const ClusterView& view) {
  return Planner(config, view).Run(Subjects(config, view));
}

}  // namespace hastore::ha
