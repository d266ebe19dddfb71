// The cluster configuration (DESIGN §8), read from TOML: which servers make the cluster, how
// they lease, and which stores run where under which policies. `hastore config check FILE`
// validates it and prints every instance.
//
//   [cluster]
//   name = "cluster1"                      # CLUSTERNAME in the lease table
//   domain = "hastore"                     # DOMAINNAME in the lease table
//   servers = ["ms1", "ms2"]               # configured members
//   server_name_template = "dyn-${ID}"     # dynamic members: ${ID} = 1..size
//   size = 0
//   on_lease_lost = "stop"                 # stop | exit: what a server does when it cannot renew in time
//
//   [leasing]
//   basis = "local"                        # local (LMDB, one host) | database (ACTIVE table, ODBC)
//   directory = "/var/lib/hastore/leases"  # local: the LMDB environment
//   connection = ""                        # database: ODBC connection string
//   table = "ACTIVE"                       # database: [[catalog.]schema.]table
//   auto_migration_table_creation_policy = "Disabled"   # Disabled | Always
//   health_check_interval = 10000          # ms between renewals
//   health_check_periods_until_fencing = 6 # a lease lasts interval x periods
//   fencing_grace_period = 30000           # ms past a lease's end before others take it
//
//   [stores.orders]                        # the store's keys of hastore/storage/config.h [store]
//   kind = "file"                          #   (name comes from the table key)
//   target = "cluster"                     # cluster | a server | a migratable target
//   distribution = "distributed"           # distributed | singleton (target = cluster)
//   migration_policy = "on-failure"        # off | on-failure | always
//   restart_in_place = true                # default: false if off, else true
//   seconds_between_restarts = 30
//   number_of_restart_attempts = 6         # 0 none, -1 forever
//   initial_boot_delay_seconds = 60
//   failback_delay_seconds = -1            # -1 at once, 0 never, N seconds
//   partial_cluster_stability_delay_seconds = 240
//   fail_over_limit = -1                   # -1 unlimited, N failed-over instances per server
//   [stores.orders.file]                   # [file] and [jdbc] of hastore/storage/config.h
//   directory = "/shared/orders"
//
//   [migratable_targets.mt1]
//   user_preferred_server = "ms1"
//   candidate_servers = ["ms1", "ms2"]     # empty: every server
//   migration_policy = "manual"            # manual | exactly-once | failure-recovery
//   restart_on_failure = false
//   seconds_between_restarts = 30
//   number_of_restart_attempts = 6
//   pre_script = ""                        # run before the target starts on its new server
//   post_script = ""                       # run after it stopped on its old one
//   post_script_failure_is_fatal = true
//   non_local_post_allowed = false
//
// Unknown keys, wrong types and out-of-range values are errors naming the key
// ("stores.orders.fail_over_limit").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hastore/storage/config.h"
#include "hastore/storage/status.h"

namespace hastore::ha {

enum class LeasingBasis : uint8_t { kLocal, kDatabase };
enum class TableCreation : uint8_t { kDisabled, kAlways };
enum class OnLeaseLost : uint8_t { kStop, kExit };
enum class MigrationPolicy : uint8_t { kOff, kOnFailure, kAlways };
enum class TargetPolicy : uint8_t { kManual, kExactlyOnce, kFailureRecovery };

std::string_view ToString(LeasingBasis v);     // "local", "database"
std::string_view ToString(TableCreation v);    // "Disabled", "Always"
std::string_view ToString(OnLeaseLost v);      // "stop", "exit"
std::string_view ToString(MigrationPolicy v);  // "off", "on-failure", "always"
std::string_view ToString(TargetPolicy v);     // "manual", "exactly-once", "failure-recovery"

struct LeasingSettings {
  LeasingBasis basis = LeasingBasis::kLocal;
  std::string directory;
  std::string connection;
  std::string table = "ACTIVE";
  TableCreation table_creation = TableCreation::kDisabled;
  uint64_t health_check_interval_ms = 10000;
  uint32_t health_check_periods_until_fencing = 6;
  uint64_t fencing_grace_period_ms = 30000;

  uint64_t lease_ttl_ms() const { return health_check_interval_ms * health_check_periods_until_fencing; }
};

// Restart in place: how often a failed instance is tried again where it is.
struct RestartPolicy {
  bool restart_in_place = true;
  int64_t seconds_between_restarts = 30;
  int64_t number_of_restart_attempts = 6;  // 0 none, -1 forever
};

// A store placed by the cluster (target = "cluster").
struct ClusterPolicy {
  MigrationPolicy migration = MigrationPolicy::kOff;
  RestartPolicy restart;
  int64_t initial_boot_delay_seconds = 60;
  int64_t failback_delay_seconds = -1;  // -1 at once, 0 never, N seconds
  int64_t partial_cluster_stability_delay_seconds = 240;
  int64_t fail_over_limit = -1;         // -1 unlimited
};

struct MigratableTarget {
  std::string name;
  std::string user_preferred_server;
  std::vector<std::string> candidate_servers;  // empty: every server of the cluster
  TargetPolicy policy = TargetPolicy::kManual;
  bool restart_on_failure = false;
  // Seconds between restarts and the number of attempts; whether it restarts at all is
  // restart_on_failure (restart.restart_in_place is not read: RestartOf combines the two).
  RestartPolicy restart;
  std::string pre_script;
  std::string post_script;
  bool post_script_failure_is_fatal = true;
  bool non_local_post_allowed = false;
};

enum class TargetKind : uint8_t { kCluster, kServer, kMigratableTarget };

struct ClusterStore {
  StoreConfig store;  // name, kind, distribution, prefix, file/jdbc settings; `server` unset
  // What `target` names, settled by ParseClusterConfig; Validate refuses a kind that does not
  // match the target.
  TargetKind target_kind = TargetKind::kCluster;
  std::string target = "cluster";  // or a server, or a migratable target
  ClusterPolicy policy;  // kCluster only
};

struct ClusterConfig {
  std::string name;
  std::string domain = "hastore";
  std::vector<std::string> configured_servers;
  std::string server_name_template;  // contains ${ID}
  uint32_t dynamic_size = 0;
  OnLeaseLost on_lease_lost = OnLeaseLost::kStop;
  LeasingSettings leasing;
  std::vector<ClusterStore> stores;  // in name order
  std::vector<MigratableTarget> migratable_targets;  // in name order

  // Configured members, then the dynamic ones (template with ${ID} = 1..size).
  std::vector<std::string> Servers() const;
  const MigratableTarget* FindTarget(std::string_view name) const;
};

// One instance the configuration defines, with its names and where it prefers to run.
struct InstanceSpec {
  std::string instance;          // DESIGN §4: store, store@server or store-01
  const ClusterStore* store = nullptr;
  std::string preferred_server;  // distributed: its server; server target: it; migratable: user preferred
  // Servers it may run on, in preference order (preferred first).
  std::vector<std::string> candidates;
  // The store's configuration for this instance (server and distribution set).
  StoreConfig config;
};

// Every instance, in instance-name order. Singletons prefer the first server of the cluster.
// Specs point into `config`, which must outlive them.
std::vector<InstanceSpec> Instances(const ClusterConfig& config);

// An instance the configuration no longer defines whose name maps back by DESIGN §4 to a
// cluster store — `<store>@<server>` of a server that left the cluster, say, or `<store>-01` —
// with every server of the cluster as a candidate; nullopt if no cluster store matches. For
// names Instances(config) does not list: a listed one maps back too, with other candidates.
std::optional<InstanceSpec> OrphanInstance(const ClusterConfig& config, std::string_view name);

// The instance `name`: one of Instances(config), else OrphanInstance. It builds every instance:
// a caller that looks up many names should build Instances(config) once.
std::optional<InstanceSpec> FindInstance(const ClusterConfig& config, std::string_view name);

// How a failed instance of `store` restarts in place: a cluster store's policy; a migratable
// target's seconds and attempts, restarting only with restart_on_failure; the defaults for a
// store targeted at a server, which has no policy of its own.
RestartPolicy RestartOf(const ClusterConfig& config, const ClusterStore& store);

// Checks every field and cross-reference, the target kind of each store against what its
// target names included; the error names the key.
Status Validate(const ClusterConfig& config);

// `source` names the text in errors (a file path).
Result<ClusterConfig> ParseClusterConfig(std::string_view toml_text, std::string_view source = "<config>");
Result<ClusterConfig> LoadClusterConfig(const std::string& path);

}  // namespace hastore::ha
