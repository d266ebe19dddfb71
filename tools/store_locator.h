// How a verb of the `hastore` command names one store instance.
//
// Two ways, one per verb call:
//   STORE          a positional `[KIND:]LOCATION`. The only kind today is `file` (the default
//                  when no kind is given), whose location is `DIR/INSTANCE`: the directory that
//                  holds the instance's .DAT files and the exact instance name as the last path
//                  component, e.g. `/var/lib/hastore/myStore@ms1` or `file:data/orders-01`.
//   --config FILE  a store TOML config (hastore/storage/config.h): the directory is
//                  file.directory and the instance is the one the [store] section names.
//
// Extending: a new kind (`jdbc:`, `replicated:`) gets its own location syntax after its
// prefix and its own branch in LocateStore; StoreLocation then grows what that kind needs.
// Until then such prefixes are refused with "store kind 'jdbc' is not available yet". A
// location whose directory contains ':' can be written with the explicit `file:` prefix.
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

// Adds the STORE positional and --config FILE to a verb, one of them required.
// `positional_help` replaces kStoreHelp for verbs that accept more (list also takes a DIR).
void AddStoreArgs(CLI::App& verb, StoreArgs* args, const char* positional_help = kStoreHelp);

struct StoreLocation {
  std::string directory;
  std::string instance;
  // What opens the instance: the --config file as given, or default settings for the
  // instance's name (see ConfigForInstance).
  StoreConfig config;
};

// kInvalidArgument for a malformed STORE, an unknown or unavailable kind, a bad config file.
Result<StoreLocation> LocateStore(const StoreArgs& args);

// A STORE positional that names an existing directory (with or without `file:`), for
// `hastore list DIR`; nullopt otherwise.
std::optional<std::string> LocateDirectory(const StoreArgs& args);

// Default settings that open `instance` in `directory`. An instance name is not a store name
// ('@' is not a name character), so it is split back: `S@V` → store S, server V, distributed;
// `S-01` with S a valid name → singleton S; anything else → store name, not cluster-targeted.
// All three give back exactly `instance`, and with it the instance's file names.
Result<StoreConfig> ConfigForInstance(const std::string& directory, const std::string& instance);

// kNotFound unless the directory holds segment files of the instance. Verbs that open a store
// writable check this first, so a mistyped name is an error and not a new, empty instance.
Status CheckInstanceExists(const StoreLocation& location);

}  // namespace hastore::tools
