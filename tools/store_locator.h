// How a verb of the `hastore` command names one store instance.
//
// Two ways, one per verb call:
//   STORE          a positional `[KIND:]LOCATION`:
//                  file (the default when no kind is given): `DIR/INSTANCE`, the directory that
//                    holds the instance's .DAT files and the exact instance name as the last
//                    path component, e.g. `/var/lib/hastore/myStore@ms1` or `file:data/orders-01`.
//                  jdbc: `Key=Value` pairs separated by ';', ODBC's own syntax: `Instance=` (the
//                    instance name, required), `Prefix=` (the table prefix, optional), and either
//                    `Directory=` (embedded SQLite in that directory) or the ODBC connection
//                    string (every other pair), e.g.
//                    `jdbc:Instance=orders@ms1;Prefix=app;Driver=PostgreSQL Unicode;Server=db;...`.
//                  replicated: `DAEMONS/INSTANCE`, the replication daemons' configuration file
//                    (replicated/daemon_config.h) and the instance name as the last path
//                    component, e.g. `replicated:/etc/hastore/rsd.toml/orders@ms1`.
//   --config FILE  a store TOML config (hastore/storage/config.h) of any kind.
//
// Extending: a new kind gets its own location syntax after its prefix and its own branch in
// LocateStore. A location whose directory contains ':' can be written with the explicit
// `file:` prefix.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "hastore/storage/config.h"
#include "hastore/storage/status.h"

namespace CLI {
class App;
}

namespace hastore::tools {

// What the command line said; filled by CLI11.
struct StoreArgs {
  std::string store;        // the positional STORE
  std::string config_path;  // --config FILE
};

// The help text of the STORE positional and --config, shared by every verb's --help.
extern const char* const kStoreHelp;
extern const char* const kJdbcHelp;

// Adds the STORE positional and --config FILE to a verb, one of them required.
// `positional_help` replaces kStoreHelp for verbs that accept more (list also takes a DIR).
void AddStoreArgs(CLI::App& verb, StoreArgs* args, const char* positional_help = kStoreHelp);

struct StoreLocation {
  // file: the .DAT directory; jdbc: the embedded SQLite directory, or ""; replicated: the
  // daemons' configuration file.
  std::string directory;
  std::string instance;
  // What opens the instance: the --config file as given, or default settings for the
  // instance's name (see ConfigForInstance).
  StoreConfig config;
};

// kInvalidArgument for a malformed STORE, an unknown or unavailable kind, a bad config file.
Result<StoreLocation> LocateStore(const StoreArgs& args);

// The instance a store config names, in its directory (file.directory, or jdbc.directory: ""
// for a JDBC store on a database server).
StoreLocation LocationOf(const StoreConfig& config);

// A STORE positional that names an existing directory (with or without `file:`), for
// `hastore list DIR`; nullopt otherwise.
std::optional<std::string> LocateDirectory(const StoreArgs& args);

// Default settings that open `instance` in `directory`. An instance name is not a store name
// ('@' is not a name character), so it is split back: `S@V` → store S, server V, distributed;
// `S-01` with S a valid name → singleton S; anything else → store name, not cluster-targeted.
// All three give back exactly `instance`, and with it the instance's file names.
Result<StoreConfig> ConfigForInstance(const std::string& directory, const std::string& instance);

}  // namespace hastore::tools
