// `hastore status` (cluster_status.h): the snapshot the master plans from, told for people.
#include "hastore/ha/cluster_status.h"

#include <map>
#include <set>

#include "cluster_view.h"

namespace hastore::ha {

namespace {

template <class T>
std::optional<T> Lookup(const std::map<std::string, T>& m, const std::string& key) {
  auto it = m.find(key);
  return it == m.end() ? std::nullopt : std::optional<T>(it->second);
}

ServerStatus StatusOf(const ServerState& state, const ClusterSnapshot& snap, const std::set<std::string>& configured) {
  ServerStatus s;
  s.name = state.name;
  s.configured = configured.count(state.name) != 0;
  std::optional<LeaseView> lease = Lookup(snap.servers, state.name);
  if (lease) s.lease = *lease;
  s.up_since_ms = state.up_since_ms;
  s.condition = state.up          ? ServerCondition::kUp
                : state.shut_down ? ServerCondition::kShutDown
                : lease           ? ServerCondition::kCrashed
                                  : ServerCondition::kNotStarted;
  return s;
}

InstanceStatus StatusOf(const std::string& instance, const ClusterSnapshot& snap) {
  InstanceStatus s;
  s.instance = instance;
  s.plan = Lookup(snap.plan, instance);
  s.last_migration = Lookup(snap.migrations, instance);
  const std::optional<LeaseView> lease = Lookup(snap.instances, instance);
  if (lease) {
    s.epoch = lease->epoch;
    s.lease_remaining_ms = lease->remaining_ms;
    if (lease->held()) s.owner = lease->holder.server;
  }
  if (!s.owner.empty()) {
    // Its owner records the epoch it activated it under once the store is open and handed over.
    const std::optional<LastRun> last = Lookup(snap.last_runs, instance);
    const bool activated = last && last->server == s.owner && last->epoch == s.epoch;
    s.condition = activated ? InstanceCondition::kActive : InstanceCondition::kStarting;
  } else if (!s.plan) {
    s.condition = InstanceCondition::kNotPlanned;
  } else if (s.plan->server.empty()) {
    s.condition = InstanceCondition::kNotPlaced;
  } else {
    s.condition = s.plan->not_before_ms > snap.view.now_ms ? InstanceCondition::kRestarting : InstanceCondition::kAssigned;
  }
  return s;
}

}  // namespace

std::string_view ToString(ServerCondition c) {
  switch (c) {
    case ServerCondition::kUp: return "up";
    case ServerCondition::kShutDown: return "shut down";
    case ServerCondition::kCrashed: return "crashed";
    case ServerCondition::kNotStarted: break;
  }
  return "not started";
}

std::string_view ToString(InstanceCondition c) {
  switch (c) {
    case InstanceCondition::kActive: return "active";
    case InstanceCondition::kStarting: return "starting";
    case InstanceCondition::kAssigned: return "assigned";
    case InstanceCondition::kRestarting: return "restarting";
    case InstanceCondition::kNotPlaced: return "not placed";
    case InstanceCondition::kNotPlanned: break;
  }
  return "not planned";
}

std::string Summary(const InstanceStatus& i, int64_t now_ms) {
  const std::string planned = i.plan ? i.plan->server : std::string();
  // An owner the plan moves away is stopping it (or running a migration's post script).
  const std::string moving = !i.owner.empty() && i.plan && planned != i.owner
                                 ? ", moving to " + (planned.empty() ? std::string("no server") : planned)
                                 : std::string();
  switch (i.condition) {
    case InstanceCondition::kActive: return "active on " + i.owner + moving;
    case InstanceCondition::kStarting: return "starting on " + i.owner + moving;
    case InstanceCondition::kAssigned: return "assigned to " + planned + ", not claimed yet";
    case InstanceCondition::kRestarting: {
      const int64_t wait_ms = i.plan->not_before_ms - now_ms;
      return "restarting on " + planned + ": not before " + std::to_string((wait_ms + 999) / 1000) + " s from now";
    }
    case InstanceCondition::kNotPlaced: {
      const std::string& reason = i.plan->reason;  // the planner's reasons mostly say it already
      return reason.starts_with("not placed") ? reason : "not placed: " + reason;
    }
    case InstanceCondition::kNotPlanned: break;
  }
  return "not placed yet: no master has planned it";
}

Result<ClusterStatus> ReadClusterStatus(LeaseAuthority& authority, const ClusterConfig& config) {
  Result<ClusterSnapshot> snap = ReadClusterSnapshot(authority, config);
  if (!snap.ok()) return snap.status();
  ClusterStatus out;
  out.cluster = config.name;
  out.authority = authority.Describe();
  out.now_ms = snap->view.now_ms;
  out.master = snap->master;
  const std::vector<std::string> servers = config.Servers();
  const std::set<std::string> configured(servers.begin(), servers.end());
  for (const ServerState& s : snap->view.servers) out.servers.push_back(StatusOf(s, *snap, configured));

  std::set<std::string> names;
  for (const InstanceSpec& spec : Instances(config)) names.insert(spec.instance);
  for (const InstanceState& known : snap->view.instances) names.insert(known.instance);
  for (const std::string& name : names) out.instances.push_back(StatusOf(name, *snap));
  return out;
}

const InstanceStatus* FindInstance(const ClusterStatus& status, std::string_view instance) {
  for (const InstanceStatus& i : status.instances) {
    if (i.instance == instance) return &i;
  }
  return nullptr;
}

}  // namespace hastore::ha
