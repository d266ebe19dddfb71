#include "store_locator.h"

#include <CLI/CLI.hpp>
#include <filesystem>
#include <vector>

#include "hastore/jdbcstore/connection_string.h"
#include "hastore/storage/names.h"

namespace hastore::tools {
namespace {

constexpr std::string_view kFileKind = "file";
constexpr std::string_view kJdbcKind = "jdbc";
constexpr std::string_view kReplicatedKind = "replicated";

// `PATH/LAST` split at its last '/': {directory, last}; "." when there is no '/'.
std::pair<std::string, std::string> SplitLastComponent(std::string_view text) {
  std::string path(text);
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  const size_t slash = path.rfind('/');
  std::string directory = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  std::string last = slash == std::string::npos ? path : path.substr(slash + 1);
  return {std::move(directory), std::move(last)};
}

// Splits `[KIND:]LOCATION`. A kind is letters only and ends before any '/', so a relative
// path such as `./a:b/x` keeps its colon.
struct KindAndLocation {
  std::string_view kind;
  std::string_view location;
};

KindAndLocation SplitKind(std::string_view text) {
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0) return {kFileKind, text};
  for (char c : text.substr(0, colon)) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) return {kFileKind, text};
  }
  return {text.substr(0, colon), text.substr(colon + 1)};
}

Result<std::string> FileLocation(std::string_view text) {
  const KindAndLocation k = SplitKind(text);
  if (k.kind != kFileKind) {
    return Status::InvalidArgument("store kind '" + std::string(k.kind) + "' has no directory (a directory is file:DIR)");
  }
  return std::string(k.location);
}

// Store name, server and distribution from an instance name (see ConfigForInstance).
StoreConfig SplitInstance(const std::string& instance) {
  StoreConfig config;
  config.name = instance;
  constexpr std::string_view kSingletonSuffix = "-01";
  if (const size_t at = instance.find('@'); at != std::string::npos) {
    config.distribution = Distribution::kDistributed;
    config.name = instance.substr(0, at);
    config.server = instance.substr(at + 1);
  } else if (instance.size() > kSingletonSuffix.size() && instance.ends_with(kSingletonSuffix)) {
    std::string store = instance.substr(0, instance.size() - kSingletonSuffix.size());
    if (ValidateName("store name", store).ok()) {
      config.distribution = Distribution::kSingleton;
      config.name = std::move(store);
    }
  }
  return config;
}

// jdbc:Instance=I;[Prefix=P;][Directory=D | <ODBC connection string>]
Result<StoreLocation> JdbcLocation(std::string_view location) {
  std::string instance, prefix, directory;
  std::vector<ConnectionStringPair> odbc;
  for (ConnectionStringPair& pair : SplitConnectionString(location)) {
    if (SameConnectionStringKey(pair.key, "Instance")) {
      instance = pair.value;
    } else if (SameConnectionStringKey(pair.key, "Prefix")) {
      prefix = pair.value;
    } else if (SameConnectionStringKey(pair.key, "Directory")) {
      directory = pair.value;
    } else {
      odbc.push_back(std::move(pair));
    }
  }
  const std::string connection = JoinConnectionString(odbc);
  if (instance.empty()) return Status::InvalidArgument("jdbc: store has no Instance=; " + std::string(kJdbcHelp));
  if (directory.empty() == connection.empty()) {
    return Status::InvalidArgument("jdbc: store needs either Directory= (embedded SQLite) or an ODBC connection "
                                   "string (Driver=...), not both");
  }
  StoreConfig config = SplitInstance(instance);
  config.kind = StoreKind::kJdbc;
  config.prefix = prefix;
  config.jdbc.directory = directory;
  config.jdbc.connection = connection;
  if (Status s = Validate(config); !s.ok()) {
    return Status::InvalidArgument("jdbc: store Instance=" + instance + " Prefix=" + prefix + ": " + s.message());
  }
  return StoreLocation{directory, instance, std::move(config)};
}

// replicated:DAEMONS/INSTANCE
Result<StoreLocation> ReplicatedLocation(std::string_view location) {
  auto [daemons, instance] = SplitLastComponent(location);
  if (instance.empty() || daemons == ".") {
    return Status::InvalidArgument("replicated: store '" + std::string(location) +
                                   "' is not DAEMONS/INSTANCE (the daemons' configuration file, then the instance)");
  }
  StoreConfig config = SplitInstance(instance);
  config.kind = StoreKind::kReplicated;
  config.replicated.daemons = daemons;
  if (Status s = Validate(config); !s.ok()) {
    return Status::InvalidArgument("replicated: instance '" + instance + "' is not a valid instance name: " + s.message());
  }
  return StoreLocation{daemons, instance, std::move(config)};
}

}  // namespace

// A literal, so that kStoreHelp can be built from it at compile time.
#define HASTORE_JDBC_HELP \
  "a JDBC store is jdbc:Instance=I;[Prefix=P;]Directory=D (embedded SQLite in D) or " \
  "jdbc:Instance=I;[Prefix=P;]<ODBC connection string> (e.g. 'jdbc:Instance=orders@ms1;Prefix=app;" \
  "Driver=PostgreSQL Unicode;Server=db;Database=jms;Uid=u;PwdFile=/etc/hastore/db.pw')"

const char* const kJdbcHelp = HASTORE_JDBC_HELP;

const char* const kStoreHelp =
    "The store instance. A file store is [file:]DIR/INSTANCE: the directory holding its .DAT files and the exact "
    "instance name (e.g. /var/lib/hastore/myStore@ms1); " HASTORE_JDBC_HELP "; a replicated store is "
    "replicated:DAEMONS/INSTANCE, the replication daemons' configuration file and the instance name (e.g. "
    "replicated:/etc/hastore/rsd.toml/orders@ms1). Or use --config FILE (any kind).";

#undef HASTORE_JDBC_HELP

void AddStoreArgs(CLI::App& verb, StoreArgs* args, const char* positional_help) {
  CLI::Option* store = verb.add_option("STORE", args->store, positional_help);
  CLI::Option* config =
      verb.add_option("--config", args->config_path,
                      "A store TOML config: the instance it names, in its file.directory")
          ->check(CLI::ExistingFile);
  store->excludes(config);
}

Result<StoreLocation> LocateStore(const StoreArgs& args) {
  if (!args.config_path.empty()) {
    auto config = LoadStoreConfig(args.config_path);
    if (!config.ok()) return config.status();
    return LocationOf(*config);
  }
  if (args.store.empty()) return Status::InvalidArgument("no store named: give STORE or --config FILE");
  const KindAndLocation k = SplitKind(args.store);
  if (k.kind == kJdbcKind) return JdbcLocation(k.location);
  if (k.kind == kReplicatedKind) return ReplicatedLocation(k.location);
  if (k.kind != kFileKind) {
    return Status::InvalidArgument("store kind '" + std::string(k.kind) +
                                   "' is not available (available: file, jdbc, replicated)");
  }
  const auto [directory, instance] = SplitLastComponent(k.location);
  if (instance.empty()) {
    return Status::InvalidArgument("store '" + args.store + "' has no instance name: give DIR/INSTANCE");
  }
  auto config = ConfigForInstance(directory, instance);
  if (!config.ok()) return config.status();
  return StoreLocation{directory, instance, std::move(config).value()};
}

StoreLocation LocationOf(const StoreConfig& config) {
  switch (config.kind) {
    case StoreKind::kFile: break;
    case StoreKind::kJdbc: return StoreLocation{config.jdbc.directory, config.instance(), config};
    case StoreKind::kReplicated: return StoreLocation{config.replicated.daemons, config.instance(), config};
  }
  return StoreLocation{config.file.directory, config.instance(), config};
}

std::optional<std::string> LocateDirectory(const StoreArgs& args) {
  if (!args.config_path.empty()) return std::nullopt;
  auto location = FileLocation(args.store);
  std::error_code ec;
  if (!location.ok() || !std::filesystem::is_directory(*location, ec)) return std::nullopt;
  return *location;
}

Result<StoreConfig> ConfigForInstance(const std::string& directory, const std::string& instance) {
  StoreConfig config = SplitInstance(instance);
  config.file.directory = directory;
  if (Status s = Validate(config); !s.ok()) {
    return Status::InvalidArgument("instance '" + instance + "' is not a valid instance name: " + s.message());
  }
  return config;
}

}  // namespace hastore::tools
