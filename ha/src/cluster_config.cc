// Reading and checking a cluster configuration (cluster_config.h). The store keys of each
// [stores.<name>] table are read by storage's ParseStoreConfigAt; the HA keys here.
#include "hastore/ha/cluster_config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <optional>
#include <set>

#include "hastore/storage/names.h"
#include "hastore/storage/store_config_toml.h"
#include "hastore/storage/toml_reader.h"

namespace hastore::ha {

namespace {

template <class E>
struct Named {
  E value;
  std::string_view name;
};

constexpr Named<LeasingBasis> kBasisNames[] = {{LeasingBasis::kLocal, "local"}, {LeasingBasis::kDatabase, "database"}};
constexpr Named<TableCreation> kCreationNames[] = {{TableCreation::kDisabled, "Disabled"}, {TableCreation::kAlways, "Always"}};
constexpr Named<OnLeaseLost> kLostNames[] = {{OnLeaseLost::kStop, "stop"}, {OnLeaseLost::kExit, "exit"}};
constexpr Named<MigrationPolicy> kMigrationNames[] = {
    {MigrationPolicy::kOff, "off"}, {MigrationPolicy::kOnFailure, "on-failure"}, {MigrationPolicy::kAlways, "always"}};
constexpr Named<TargetPolicy> kTargetPolicyNames[] = {{TargetPolicy::kManual, "manual"},
                                                      {TargetPolicy::kExactlyOnce, "exactly-once"},
                                                      {TargetPolicy::kFailureRecovery, "failure-recovery"}};

template <class E, size_t N>
std::string_view NameIn(const Named<E> (&names)[N], E value) {
  for (const Named<E>& n : names) {
    if (n.value == value) return n.name;
  }
  return "?";
}

// Names compare without case ("On-Failure" and "on-failure" are one policy).
template <class E, size_t N>
Status ParseIn(const Named<E> (&names)[N], std::string_view text, E* out) {
  std::string valid;
  for (const Named<E>& n : names) {
    const bool same = std::equal(n.name.begin(), n.name.end(), text.begin(), text.end(),
                                 [](unsigned char a, unsigned char b) { return std::tolower(a) == std::tolower(b); });
    if (same) {
      *out = n.value;
      return Status::Ok();
    }
    valid += (valid.empty() ? "\"" : ", \"") + std::string(n.name) + "\"";
  }
  return Status::InvalidArgument("'" + std::string(text) + "' is not one of " + valid);
}

// ---- reading TOML values, with errors that name the key ------------------------------------

using Reader = TomlReader;

// One of `names` (without case), the error listing them.
template <class E, size_t N>
Status ReadEnum(const Reader& r, const toml::node& n, std::string_view key, const Named<E> (&names)[N], E* out) {
  std::string text;
  HASTORE_RETURN_IF_ERROR(r.String(n, key, &text));
  Status s = ParseIn(names, text, out);
  return s.ok() ? s : r.At(n, key, s.message());
}

constexpr int64_t kMaxMs = int64_t{24} * 3600 * 1000;  // a day
constexpr int64_t kMaxSeconds = int64_t{365} * 24 * 3600;


Status ReadCluster(const Reader& r, const toml::table& t, ClusterConfig& c) {
  return ForEachTomlKey(r, t, "cluster", [&](std::string_view k, const toml::node& n, const std::string& key) -> Status {
    if (k == "name") return r.String(n, key, &c.name);
    if (k == "domain") return r.String(n, key, &c.domain);
    if (k == "servers") return r.Strings(n, key, &c.configured_servers);
    if (k == "server_name_template") return r.String(n, key, &c.server_name_template);
    if (k == "size") return r.Unsigned(n, key, 0, 1000, &c.dynamic_size);
    if (k == "on_lease_lost") return ReadEnum(r, n, key, kLostNames, &c.on_lease_lost);
    return Status::NotFound(key);
  });
}

Status ReadLeasing(const Reader& r, const toml::table& t, LeasingSettings& l) {
  return ForEachTomlKey(r, t, "leasing", [&](std::string_view k, const toml::node& n, const std::string& key) -> Status {
    if (k == "basis") return ReadEnum(r, n, key, kBasisNames, &l.basis);
    if (k == "directory") return r.String(n, key, &l.directory);
    if (k == "connection") return r.String(n, key, &l.connection);
    if (k == "table") return r.String(n, key, &l.table);
    if (k == "auto_migration_table_creation_policy") return ReadEnum(r, n, key, kCreationNames, &l.table_creation);
    if (k == "health_check_interval") return r.Unsigned(n, key, 10, kMaxMs, &l.health_check_interval_ms);
    if (k == "health_check_periods_until_fencing")
      return r.Unsigned(n, key, 2, 1000, &l.health_check_periods_until_fencing);
    if (k == "fencing_grace_period") return r.Unsigned(n, key, 0, kMaxMs, &l.fencing_grace_period_ms);
    return Status::NotFound(key);
  });
}

// The restart keys, shared by stores and migratable targets.
Status ReadRestart(const Reader& r, std::string_view k, const toml::node& n, const std::string& key, RestartPolicy& p) {
  if (k == "seconds_between_restarts") return r.Int(n, key, 0, kMaxSeconds, &p.seconds_between_restarts);
  if (k == "number_of_restart_attempts") return r.Int(n, key, -1, 1000000, &p.number_of_restart_attempts);
  return Status::NotFound(key);
}

// The keys of [stores.<name>] that are ours, not the store's, and how each is read: one list,
// so that ParseStoreConfigAt leaves alone exactly the keys read here.
struct PolicyKey {
  std::string_view name;
  Status (*read)(const Reader& r, std::string_view k, const toml::node& n, const std::string& key, ClusterStore& s);
};

Status ReadDistribution(const Reader& r, std::string_view, const toml::node& n, const std::string& key,
                        ClusterStore& s) {
  std::string text;
  HASTORE_RETURN_IF_ERROR(r.String(n, key, &text));
  Result<Distribution> d = ParseDistribution(text);
  if (!d.ok()) return r.At(n, key, d.status().message());
  if (*d == Distribution::kNone) return r.At(n, key, "a cluster store is \"distributed\" or \"singleton\"");
  s.store.distribution = *d;
  return Status::Ok();
}

// Generic lambdas, converted to PolicyKey::read.
constexpr PolicyKey kPolicyKeyReaders[] = {
    {"target", [](const auto& r, auto, const auto& n, const auto& key, auto& s) { return r.String(n, key, &s.target); }},
    {"distribution", ReadDistribution},
    {"name",
     [](const auto& r, auto, const auto& n, const auto& key, auto&) {
       return r.At(n, key, "a store's name is its table key, [stores.<name>]");
     }},
    {"migration_policy",
     [](const auto& r, auto, const auto& n, const auto& key, auto& s) {
       return ReadEnum(r, n, key, kMigrationNames, &s.policy.migration);
     }},
    {"restart_in_place",
     [](const auto& r, auto, const auto& n, const auto& key, auto& s) {
       return r.Bool(n, key, &s.policy.restart.restart_in_place);
     }},
    {"seconds_between_restarts",
     [](const auto& r, auto k, const auto& n, const auto& key, auto& s) { return ReadRestart(r, k, n, key, s.policy.restart); }},
    {"number_of_restart_attempts",
     [](const auto& r, auto k, const auto& n, const auto& key, auto& s) { return ReadRestart(r, k, n, key, s.policy.restart); }},
    {"initial_boot_delay_seconds",
     [](const auto& r, auto, const auto& n, const auto& key, auto& s) {
       return r.Int(n, key, 0, kMaxSeconds, &s.policy.initial_boot_delay_seconds);
     }},
    {"failback_delay_seconds",
     [](const auto& r, auto, const auto& n, const auto& key, auto& s) {
       return r.Int(n, key, -1, kMaxSeconds, &s.policy.failback_delay_seconds);
     }},
    {"partial_cluster_stability_delay_seconds",
     [](const auto& r, auto, const auto& n, const auto& key, auto& s) {
       return r.Int(n, key, 0, kMaxSeconds, &s.policy.partial_cluster_stability_delay_seconds);
     }},
    {"fail_over_limit",
     [](const auto& r, auto, const auto& n, const auto& key, auto& s) {
       return r.Int(n, key, -1, 1000000, &s.policy.fail_over_limit);
     }},
};

// The names of kPolicyKeyReaders, as ParseStoreConfigAt takes them.
constexpr auto kPolicyKeys = [] {
  std::array<std::string_view, std::size(kPolicyKeyReaders)> names{};
  for (size_t i = 0; i < names.size(); ++i) names[i] = kPolicyKeyReaders[i].name;
  return names;
}();

// Reads our keys of [stores.<name>]; the store's keys ParseStoreConfigAt has judged already.
Status ReadStorePolicy(const Reader& r, const toml::table& t, const std::string& prefix, ClusterStore& s) {
  for (const auto& [key_node, n] : t) {
    const std::string_view k = key_node.str();
    for (const PolicyKey& policy_key : kPolicyKeyReaders) {
      if (policy_key.name == k) HASTORE_RETURN_IF_ERROR(policy_key.read(r, k, n, prefix + "." + std::string(k), s));
    }
  }
  return Status::Ok();
}

Status ReadStores(const Reader& r, const toml::table& t, ClusterConfig& c) {
  for (const auto& [name, node] : t) {
    const std::string prefix = "stores." + std::string(name.str());
    Status error;
    const toml::table* table = r.Table(node, prefix, &error);
    if (table == nullptr) return error;
    HASTORE_RETURN_IF_ERROR(ValidateName("store name of [" + prefix + "]", name.str()));
    Result<StoreConfig> store = ParseStoreConfigAt(*table, r.source(), prefix, kPolicyKeys);
    if (!store.ok()) return store.status();
    ClusterStore s;
    s.store = std::move(*store);
    s.store.distribution = Distribution::kDistributed;
    s.target = "cluster";
    HASTORE_RETURN_IF_ERROR(ReadStorePolicy(r, *table, prefix, s));
    // Restart In Place: false if the policy is Off, else true, unless given.
    if (!table->contains("restart_in_place"))
      s.policy.restart.restart_in_place = s.policy.migration != MigrationPolicy::kOff;
    c.stores.push_back(std::move(s));
  }
  return Status::Ok();
}

Status ReadTargets(const Reader& r, const toml::table& t, ClusterConfig& c) {
  for (const auto& [name, node] : t) {
    const std::string prefix = "migratable_targets." + std::string(name.str());
    Status error;
    const toml::table* table = r.Table(node, prefix, &error);
    if (table == nullptr) return error;
    MigratableTarget m;
    m.name = std::string(name.str());
    HASTORE_RETURN_IF_ERROR(ForEachTomlKey(r, *table, prefix, [&](std::string_view k, const toml::node& n, const std::string& key) -> Status {
      if (k == "user_preferred_server") return r.String(n, key, &m.user_preferred_server);
      if (k == "candidate_servers") return r.Strings(n, key, &m.candidate_servers);
      if (k == "migration_policy") return ReadEnum(r, n, key, kTargetPolicyNames, &m.policy);
      if (k == "restart_on_failure") return r.Bool(n, key, &m.restart_on_failure);
      if (k == "pre_script") return r.String(n, key, &m.pre_script);
      if (k == "post_script") return r.String(n, key, &m.post_script);
      if (k == "post_script_failure_is_fatal") return r.Bool(n, key, &m.post_script_failure_is_fatal);
      if (k == "non_local_post_allowed") return r.Bool(n, key, &m.non_local_post_allowed);
      return ReadRestart(r, k, n, key, m.restart);
    }));
    c.migratable_targets.push_back(std::move(m));
  }
  return Status::Ok();
}

Status ReadRoot(const Reader& r, const toml::table& root, ClusterConfig& c) {
  for (const auto& [key, node] : root) {
    const std::string name(key.str());
    Status error;
    const toml::table* table = r.Table(node, name, &error);
    if (table == nullptr) return error;
    if (name == "cluster") {
      HASTORE_RETURN_IF_ERROR(ReadCluster(r, *table, c));
    } else if (name == "leasing") {
      HASTORE_RETURN_IF_ERROR(ReadLeasing(r, *table, c.leasing));
    } else if (name == "stores") {
      HASTORE_RETURN_IF_ERROR(ReadStores(r, *table, c));
    } else if (name == "migratable_targets") {
      HASTORE_RETURN_IF_ERROR(ReadTargets(r, *table, c));
    } else {
      return Status::InvalidArgument(std::string(r.source()) + ":" + std::to_string(key.source().begin.line) +
                                     ": unknown table [" + name +
                                     "]; valid are [cluster], [leasing], [stores.<name>] and [migratable_targets.<name>]");
    }
  }
  return Status::Ok();
}

// ---- validation ------------------------------------------------------------------------------

Status ForKey(std::string_view key, const Status& s) {
  return s.ok() ? s : Status(s.code(), std::string(key) + ": " + s.message());
}

Status ValidateServers(const ClusterConfig& c) {
  HASTORE_RETURN_IF_ERROR(ForKey("cluster.name", ValidateName("cluster name", c.name)));
  HASTORE_RETURN_IF_ERROR(ForKey("cluster.domain", ValidateName("domain name", c.domain)));
  for (const std::string& s : c.configured_servers)
    HASTORE_RETURN_IF_ERROR(ForKey("cluster.servers", ValidateName("server name", s)));
  if (c.dynamic_size > 0 && c.server_name_template.find("${ID}") == std::string::npos)
    return Status::InvalidArgument("cluster.server_name_template: '" + c.server_name_template +
                                   "' must contain ${ID} when cluster.size is above 0");
  const std::vector<std::string> servers = c.Servers();
  if (servers.empty())
    return Status::InvalidArgument("cluster.servers: the cluster has no server (list cluster.servers, or set "
                                   "cluster.server_name_template and cluster.size)");
  std::set<std::string> seen;
  for (const std::string& s : servers) {
    HASTORE_RETURN_IF_ERROR(ForKey("cluster.server_name_template", ValidateName("server name", s)));
    if (!seen.insert(UpperInstance(s)).second)
      return Status::InvalidArgument("cluster.servers: server " + s + " is named twice (names differing only in case count)");
  }
  return Status::Ok();
}

Status ValidateLeasing(const LeasingSettings& l) {
  if (l.basis == LeasingBasis::kLocal && l.directory.empty())
    return Status::InvalidArgument("leasing.directory: local leasing needs the directory of its LMDB environment");
  if (l.basis == LeasingBasis::kDatabase && l.connection.empty())
    return Status::InvalidArgument("leasing.connection: database leasing needs an ODBC connection string");
  if (l.basis == LeasingBasis::kDatabase) HASTORE_RETURN_IF_ERROR(ForKey("leasing.table", ValidatePrefix(l.table)));
  if (!l.table.empty() && l.table.back() == '.')
    return Status::InvalidArgument("leasing.table: '" + l.table + "' ends with a period; name the table");
  return Status::Ok();
}

bool IsServer(const std::vector<std::string>& servers, const std::string& name) {
  return std::find(servers.begin(), servers.end(), name) != servers.end();
}

Status ValidateTarget(const MigratableTarget& m, const std::vector<std::string>& servers) {
  const std::string prefix = "migratable_targets." + m.name;
  HASTORE_RETURN_IF_ERROR(ForKey(prefix, ValidateName("migratable target name", m.name)));
  if (!IsServer(servers, m.user_preferred_server))
    return Status::InvalidArgument(prefix + ".user_preferred_server: '" + m.user_preferred_server +
                                   "' is not a server of the cluster");
  for (const std::string& s : m.candidate_servers) {
    if (!IsServer(servers, s))
      return Status::InvalidArgument(prefix + ".candidate_servers: '" + s + "' is not a server of the cluster");
  }
  if (!m.candidate_servers.empty() && !IsServer(m.candidate_servers, m.user_preferred_server))
    return Status::InvalidArgument(prefix + ".candidate_servers: must include the user preferred server " +
                                   m.user_preferred_server);
  return Status::Ok();
}

// What `target` names: "cluster", a server, or a migratable target; nullopt if none of them.
std::optional<TargetKind> KindOfTarget(const ClusterConfig& c, const std::string& target,
                                       const std::vector<std::string>& servers) {
  if (target == "cluster") return TargetKind::kCluster;
  if (IsServer(servers, target)) return TargetKind::kServer;
  if (c.FindTarget(target) != nullptr) return TargetKind::kMigratableTarget;
  return std::nullopt;
}

std::string WhatIs(TargetKind kind) {
  switch (kind) {
    case TargetKind::kCluster: return "the cluster";
    case TargetKind::kServer: return "a server";
    case TargetKind::kMigratableTarget: return "a migratable target";
  }
  return "?";
}

Status UnknownTarget(const ClusterStore& s) {
  return Status::InvalidArgument("stores." + s.store.name + ".target: '" + s.target +
                                 "' is neither \"cluster\", a server of the cluster, nor a migratable target");
}

// Parsing: settles a store's target kind from its target, once; a store that is not placed by
// the cluster has no distribution.
Status ResolveTarget(const ClusterConfig& c, ClusterStore& s, const std::vector<std::string>& servers) {
  const std::optional<TargetKind> kind = KindOfTarget(c, s.target, servers);
  if (!kind) return UnknownTarget(s);
  s.target_kind = *kind;
  if (s.target_kind != TargetKind::kCluster) s.store.distribution = Distribution::kNone;
  return Status::Ok();
}

Status ValidateStore(const ClusterConfig& c, const ClusterStore& s, const std::vector<std::string>& servers) {
  const std::string prefix = "stores." + s.store.name;
  const std::optional<TargetKind> kind = KindOfTarget(c, s.target, servers);
  if (!kind) return UnknownTarget(s);
  if (*kind != s.target_kind) {
    return Status::InvalidArgument(prefix + ".target: '" + s.target + "' names " + WhatIs(*kind) +
                                   ", but the store's target kind says " + WhatIs(s.target_kind));
  }
  if (s.target_kind == TargetKind::kCluster && s.store.distribution == Distribution::kSingleton &&
      s.policy.migration == MigrationPolicy::kOff)
    return Status::InvalidArgument(prefix + ".migration_policy: a singleton store needs \"on-failure\" or "
                                   "\"always\" (with \"off\" it would belong to no server)");
  return Status::Ok();
}

// Two instances whose files, regions or tables would collide.
Status ValidateInstances(const ClusterConfig& c) {
  std::set<std::string> places;  // each prefixed by its kind, so kinds never meet
  for (const InstanceSpec& spec : Instances(c)) {
    const std::string prefix = "stores." + spec.config.name;
    HASTORE_RETURN_IF_ERROR(RenameStoreKeys(Validate(spec.config), prefix));
    std::string where, what;
    switch (spec.config.kind) {
      case StoreKind::kFile:
        where = "file:" + spec.config.file.directory + "/" + UpperInstance(spec.instance);
        what = "files";
        break;
      case StoreKind::kReplicated:
        where = "replicated:" + spec.config.replicated.daemons + "/" + UpperInstance(spec.instance);
        what = "regions";
        break;
      case StoreKind::kJdbc:
        where = "jdbc:" + spec.config.jdbc.EffectiveConnection() + "|" + spec.config.table();
        what = "table " + spec.config.table();
        break;
    }
    if (!places.insert(where).second)
      return Status::InvalidArgument(prefix + ": instance " + spec.instance + " would share its " + what +
                                     " with another instance");
  }
  return Status::Ok();
}

}  // namespace

std::string_view ToString(LeasingBasis v) { return NameIn(kBasisNames, v); }
std::string_view ToString(TableCreation v) { return NameIn(kCreationNames, v); }
std::string_view ToString(OnLeaseLost v) { return NameIn(kLostNames, v); }
std::string_view ToString(MigrationPolicy v) { return NameIn(kMigrationNames, v); }
std::string_view ToString(TargetPolicy v) { return NameIn(kTargetPolicyNames, v); }

Status Validate(const ClusterConfig& c) {
  HASTORE_RETURN_IF_ERROR(ValidateServers(c));
  HASTORE_RETURN_IF_ERROR(ValidateLeasing(c.leasing));
  const std::vector<std::string> servers = c.Servers();
  for (const MigratableTarget& m : c.migratable_targets) HASTORE_RETURN_IF_ERROR(ValidateTarget(m, servers));
  for (const ClusterStore& s : c.stores) HASTORE_RETURN_IF_ERROR(ValidateStore(c, s, servers));
  return ValidateInstances(c);
}

Result<ClusterConfig> ParseClusterConfig(std::string_view toml_text, std::string_view source) {
  Result<toml::table> parsed = ParseTomlDocument(toml_text, source);
  if (!parsed.ok()) return parsed.status();
  const toml::table& root = *parsed;
  const Reader reader(source);
  ClusterConfig config;
  HASTORE_RETURN_IF_ERROR(ReadRoot(reader, root, config));
  const std::vector<std::string> servers = config.Servers();
  Status s;
  for (ClusterStore& store : config.stores) {
    s = ResolveTarget(config, store, servers);
    if (!s.ok()) break;
  }
  if (s.ok()) s = Validate(config);
  if (!s.ok()) return Status(s.code(), std::string(source) + ": " + s.message());
  return config;
}

Result<ClusterConfig> LoadClusterConfig(const std::string& path) {
  Result<std::string> text = ReadTextFile(path);
  if (!text.ok()) return text.status();
  return ParseClusterConfig(*text, path);
}

}  // namespace hastore::ha
