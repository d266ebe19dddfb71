#include "cluster_view.h"

#include <set>

namespace hastore::ha {

namespace {

// "plan.orders@ms1" -> "orders@ms1".
std::string After(std::string_view key, std::string_view prefix) { return std::string(key.substr(prefix.size())); }

// The records whose key starts with `prefix`, decoded, by the rest of their key.
template <class T, class Decode>
Status TakeRecords(const std::vector<ClusterRecord>& records, std::string_view prefix, Decode decode,
                   std::map<std::string, T>& out) {
  for (const ClusterRecord& r : records) {
    if (!r.key.starts_with(prefix)) continue;
    Result<T> value = decode(r.key, r.value);
    if (!value.ok()) return value.status();
    out.emplace(After(r.key, prefix), std::move(*value));
  }
  return Status::Ok();
}

}  // namespace

Result<ClusterSnapshot> ReadClusterSnapshot(LeaseAuthority& authority, const ClusterConfig& config,
                                            std::optional<int64_t> now_ms) {
  ClusterSnapshot snap;
  if (!now_ms) {
    Result<int64_t> now = authority.NowMs();
    if (!now.ok()) return now.status();
    now_ms = *now;
  }
  snap.view.now_ms = *now_ms;
  // Two calls, every lease and every record, split here by their prefixes: the master reads
  // this every tick, and each call is a round trip to a database.
  Result<std::vector<LeaseView>> leases = authority.List("");
  if (!leases.ok()) return leases.status();
  for (LeaseView& l : *leases) {
    if (l.name == kMasterLeaseName) {
      snap.master = l;
    } else if (std::optional<std::string> instance = InstanceOfLease(l.name)) {
      snap.instances.emplace(std::move(*instance), std::move(l));
    } else if (l.name.starts_with(kServerLeasePrefix)) {
      snap.servers.emplace(After(l.name, kServerLeasePrefix), std::move(l));
    }
  }
  Result<std::vector<ClusterRecord>> records = authority.ListRecords("");
  if (!records.ok()) return records.status();
  std::map<std::string, ServerRecord> server_records;
  std::map<std::string, FailureRecord> failures;
  std::map<std::string, std::string> pins;
  // A key function of cluster_records.h given an empty name is its prefix.
  HASTORE_RETURN_IF_ERROR(TakeRecords(*records, ServerRecordKey(""), DecodeServerRecord, server_records));
  HASTORE_RETURN_IF_ERROR(TakeRecords(*records, PlanKey(""), DecodeAssignment, snap.plan));
  HASTORE_RETURN_IF_ERROR(TakeRecords(*records, LastKey(""), DecodeLastRun, snap.last_runs));
  HASTORE_RETURN_IF_ERROR(TakeRecords(*records, FailureKey(""), DecodeFailure, failures));
  HASTORE_RETURN_IF_ERROR(TakeRecords(*records, PinKey(""), DecodePin, pins));
  HASTORE_RETURN_IF_ERROR(TakeRecords(*records, MigrationKey(""), DecodeMigration, snap.migrations));
  snap.view.cluster_start_ms = -1;
  for (const ClusterRecord& r : *records) {
    if (r.key != kClusterStartKey) continue;
    Result<int64_t> ms = DecodeClusterStart(kClusterStartKey, r.value);
    if (!ms.ok()) return ms.status();
    snap.view.cluster_start_ms = *ms;
  }

  std::set<std::string> server_names;
  for (const std::string& s : config.Servers()) server_names.insert(s);
  for (const auto& [name, lease] : snap.servers) server_names.insert(name);
  for (const std::string& name : server_names) {
    ServerState s;
    s.name = name;
    auto lease = snap.servers.find(name);
    s.up = lease != snap.servers.end() && lease->second.held();
    auto record = server_records.find(name);
    if (record != server_records.end()) {
      if (s.up) s.up_since_ms = record->second.up_since_ms;
      s.shut_down = !s.up && record->second.shut_down_ms >= 0;
    }
    snap.view.servers.push_back(std::move(s));
  }

  std::set<std::string> instance_names;
  for (const auto& [name, lease] : snap.instances) instance_names.insert(name);
  for (const auto& [name, a] : snap.plan) instance_names.insert(name);
  for (const auto& [name, m] : snap.migrations) instance_names.insert(name);
  for (const std::string& name : instance_names) {
    InstanceState st;
    st.instance = name;
    auto lease = snap.instances.find(name);
    if (lease != snap.instances.end() && lease->second.held()) st.owner = lease->second.holder.server;
    // Where it was last assigned, if that is newer than where it last ran: an assignment not
    // yet claimed stays put (the planner keeps it rather than flap).
    auto plan = snap.plan.find(name);
    auto last = snap.last_runs.find(name);
    if (plan != snap.plan.end() && !plan->second.server.empty()) {
      st.last_server = plan->second.server;
    } else if (last != snap.last_runs.end()) {
      st.last_server = last->second.server;
    }
    auto failure = failures.find(name);
    if (failure != failures.end()) {
      st.failed_on = failure->second.server;
      st.failures = failure->second.failures;
      st.last_failure_ms = failure->second.last_ms;
      st.given_up_on = failure->second.given_up_on;
    }
    auto pin = pins.find(name);
    if (pin != pins.end()) st.pinned_server = pin->second;
    auto migration = snap.migrations.find(name);
    if (migration != snap.migrations.end() && migration->second.state == kMigrationFailed)
      st.failed_migration = migration->second.message;
    snap.view.instances.push_back(std::move(st));
  }
  return snap;
}

}  // namespace hastore::ha
