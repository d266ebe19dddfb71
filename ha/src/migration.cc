// An operator's migration request (migration.h): which instances a name designates, whether the
// destination may take them, and the records that ask the cluster to move them.
#include "hastore/ha/migration.h"

#include <algorithm>

#include "cluster_records.h"
#include "cluster_view.h"

namespace hastore::ha {

namespace {

std::string Quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

// The instances `name` designates: every instance of the stores targeted at a migratable
// target of that name, else the instance of that name (one the configuration defines, or one
// it maps back to a cluster store).
Result<std::vector<InstanceSpec>> Designated(const ClusterConfig& config, std::string_view name) {
  std::vector<InstanceSpec> out;
  if (config.FindTarget(name) != nullptr) {
    for (InstanceSpec& spec : Instances(config)) {
      if (spec.store->target_kind == TargetKind::kMigratableTarget && spec.store->target == name)
        out.push_back(std::move(spec));
    }
    if (out.empty()) return Status::InvalidArgument("migratable target " + Quoted(name) + " has no stores to migrate");
    return out;
  }
  std::optional<InstanceSpec> spec = FindInstance(config, name);
  if (!spec) {
    return Status::InvalidArgument(Quoted(name) + " is neither an instance nor a migratable target of cluster " +
                                   config.name);
  }
  out.push_back(std::move(*spec));
  return out;
}

Status CheckCandidate(const InstanceSpec& spec, std::string_view to) {
  const ClusterStore& store = *spec.store;
  if (store.target_kind == TargetKind::kServer) {
    return Status::InvalidArgument(spec.instance + " is targeted at server " + store.target +
                                   " by the configuration: it does not migrate");
  }
  if (std::find(spec.candidates.begin(), spec.candidates.end(), to) == spec.candidates.end()) {
    return Status::InvalidArgument("server " + Quoted(to) + " is not a candidate server of migratable target " +
                                   store.target + " (of " + spec.instance + ")");
  }
  return Status::Ok();
}

// Who runs the instance now (its lease is held live), else where it last ran.
std::string CurrentServer(const ClusterSnapshot& snap, const std::string& instance) {
  auto lease = snap.instances.find(instance);
  if (lease != snap.instances.end() && lease->second.held()) return lease->second.holder.server;
  auto last = snap.last_runs.find(instance);
  return last != snap.last_runs.end() ? last->second.server : std::string();
}

}  // namespace

Result<std::vector<MigrationTicket>> RequestMigration(LeaseAuthority& authority, const ClusterConfig& config,
                                                      std::string_view name, std::string_view to) {
  Result<std::vector<InstanceSpec>> specs = Designated(config, name);
  if (!specs.ok()) return specs.status();
  const std::vector<std::string> servers = config.Servers();
  if (std::find(servers.begin(), servers.end(), to) == servers.end())
    return Status::InvalidArgument(Quoted(to) + " is not a server of cluster " + config.name);
  for (const InstanceSpec& spec : *specs) HASTORE_RETURN_IF_ERROR(CheckCandidate(spec, to));

  Result<ClusterSnapshot> snap = ReadClusterSnapshot(authority, config);
  if (!snap.ok()) return snap.status();
  auto lease = snap->servers.find(std::string(to));
  if (lease == snap->servers.end() || !lease->second.held()) {
    return Status::InvalidArgument("server " + Quoted(to) +
                                   " is not up (it holds no live server lease): only a running server can take an instance");
  }

  std::vector<MigrationTicket> tickets;
  for (const InstanceSpec& spec : *specs) {
    MigrationTicket t{spec.instance, CurrentServer(*snap, spec.instance), -1};
    auto owner = snap->instances.find(spec.instance);
    const bool already_there = owner != snap->instances.end() && owner->second.held() && t.from == to;
    if (!already_there) {
      // The request first: the server that gives the instance up reads it when the pin moves it.
      t.requested_ms = snap->view.now_ms;
      const MigrationStatus m{t.from, std::string(to), std::string(kMigrationRequested), "", t.requested_ms, -1};
      HASTORE_RETURN_IF_ERROR(authority.PutRecord(nullptr, MigrationKey(spec.instance), Encode(m)));
    }
    HASTORE_RETURN_IF_ERROR(authority.PutRecord(nullptr, PinKey(spec.instance), EncodePin(to)));
    tickets.push_back(std::move(t));
  }
  return tickets;
}

}  // namespace hastore::ha
