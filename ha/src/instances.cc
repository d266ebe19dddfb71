// The servers and instances a cluster configuration defines (DESIGN §4 names, §8 targets).
#include <algorithm>

#include "hastore/ha/cluster_config.h"

namespace hastore::ha {

namespace {

constexpr std::string_view kIdPlaceholder = "${ID}";

std::string DynamicServerName(const std::string& name_template, uint32_t id) {
  std::string name = name_template;
  const size_t at = name.find(kIdPlaceholder);
  if (at != std::string::npos) name.replace(at, kIdPlaceholder.size(), std::to_string(id));
  return name;
}

// `preferred` first, then the rest of `servers` in their order.
std::vector<std::string> PreferredFirst(const std::string& preferred, const std::vector<std::string>& servers) {
  std::vector<std::string> out{preferred};
  for (const std::string& s : servers) {
    if (s != preferred) out.push_back(s);
  }
  return out;
}

InstanceSpec Spec(const ClusterStore& store, Distribution distribution, const std::string& server,
                  std::string preferred, std::vector<std::string> candidates) {
  InstanceSpec spec;
  spec.store = &store;
  spec.config = store.store;
  spec.config.distribution = distribution;
  spec.config.server = distribution == Distribution::kDistributed ? server : std::string();
  spec.instance = spec.config.instance();
  spec.preferred_server = std::move(preferred);
  spec.candidates = std::move(candidates);
  return spec;
}

}  // namespace

std::vector<std::string> ClusterConfig::Servers() const {
  std::vector<std::string> out = configured_servers;
  for (uint32_t id = 1; id <= dynamic_size; ++id) out.push_back(DynamicServerName(server_name_template, id));
  return out;
}

const MigratableTarget* ClusterConfig::FindTarget(std::string_view target_name) const {
  for (const MigratableTarget& t : migratable_targets) {
    if (t.name == target_name) return &t;
  }
  return nullptr;
}

std::vector<InstanceSpec> Instances(const ClusterConfig& config) {
  const std::vector<std::string> servers = config.Servers();
  std::vector<InstanceSpec> out;
  for (const ClusterStore& store : config.stores) {
    switch (store.target_kind) {
      case TargetKind::kCluster:
        if (store.store.distribution == Distribution::kSingleton) {
          if (servers.empty()) break;
          out.push_back(Spec(store, Distribution::kSingleton, "", servers.front(), servers));
        } else {
          for (const std::string& server : servers)
            out.push_back(Spec(store, Distribution::kDistributed, server, server, PreferredFirst(server, servers)));
        }
        break;
      case TargetKind::kServer:
        out.push_back(Spec(store, Distribution::kNone, "", store.target, {store.target}));
        break;
      case TargetKind::kMigratableTarget: {
        const MigratableTarget* target = config.FindTarget(store.target);
        if (target == nullptr) break;  // Validate refuses it
        const std::vector<std::string>& pool = target->candidate_servers.empty() ? servers : target->candidate_servers;
        out.push_back(Spec(store, Distribution::kNone, "", target->user_preferred_server,
                           PreferredFirst(target->user_preferred_server, pool)));
        break;
      }
    }
  }
  std::sort(out.begin(), out.end(), [](const InstanceSpec& a, const InstanceSpec& b) { return a.instance < b.instance; });
  return out;
}

std::optional<InstanceSpec> OrphanInstance(const ClusterConfig& config, std::string_view name) {
  // DESIGN §4 read backwards.
  const size_t at = name.find('@');
  const bool singleton = at == std::string_view::npos && name.ends_with("-01");
  if (at == std::string_view::npos && !singleton) return std::nullopt;
  const std::string_view store_name = singleton ? name.substr(0, name.size() - 3) : name.substr(0, at);
  const Distribution distribution = singleton ? Distribution::kSingleton : Distribution::kDistributed;
  for (const ClusterStore& store : config.stores) {
    if (store.target_kind != TargetKind::kCluster || store.store.name != store_name ||
        store.store.distribution != distribution)
      continue;
    const std::string server = singleton ? std::string() : std::string(name.substr(at + 1));
    InstanceSpec spec = Spec(store, distribution, server, server, config.Servers());
    if (spec.instance != name) return std::nullopt;  // not a valid name after all
    return spec;
  }
  return std::nullopt;
}

std::optional<InstanceSpec> FindInstance(const ClusterConfig& config, std::string_view name) {
  for (InstanceSpec& spec : Instances(config)) {
    if (spec.instance == name) return std::move(spec);
  }
  return OrphanInstance(config, name);
}

RestartPolicy RestartOf(const ClusterConfig& config, const ClusterStore& store) {
  switch (store.target_kind) {
    case TargetKind::kCluster: return store.policy.restart;
    case TargetKind::kServer: return RestartPolicy{};  // no policy of its own: the defaults
    case TargetKind::kMigratableTarget: break;
  }
  const MigratableTarget* target = config.FindTarget(store.target);
  if (target == nullptr) return RestartPolicy{};  // Validate refuses it
  RestartPolicy policy = target->restart;
  policy.restart_in_place = target->restart_on_failure;
  return policy;
}

}  // namespace hastore::ha
