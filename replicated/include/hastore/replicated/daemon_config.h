// The replication daemons' configuration (DESIGN §7; the role of the reference's
// rs_daemons.cfg): every daemon's address, read by each daemon and by every client, so that
// any server finds an instance's two daemons without asking anyone.
//
//   region_size = 134217728          # bytes of one .RGN region (a segment of the store's log)
//   max_message_size_percent = 1     # the largest frame, in percent of a region
//   capacity = 0                     # bytes this daemon may hold; 0 = its directory's file system
//   space_overload_yellow = 80       # percent of capacity: new records are refused above it
//   space_overload_red = 90          # percent of capacity: new stores are refused above it
//   flush_interval_ms = 1000         # how often it asks the kernel to write dirty regions back (MS_ASYNC)
//   local_index = -1                 # this host's daemon (hastore rsd --index overrides it)
//   auth_key_file = "rsd.key"        # required: the key every daemon, client and tool shares
//                                    # (relative to this file's directory; at least 32 bytes,
//                                    # mode 600: head -c 32 /dev/urandom > rsd.key; chmod 600 rsd.key)
//
//   [[daemons]]
//   address = "127.0.0.2:7401"       # TCP, for clients on other hosts and for the peer
//   socket = "/run/hastore/rsd0.sock"  # optional: a Unix socket for clients on this host
//   directory = "/var/lib/hastore/rsd0"
//
// Errors name the key ("daemons[1].address").
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "hastore/storage/status.h"

namespace hastore::replicated {

struct DaemonAddress {
  std::string address;    // host:port
  std::string socket;     // Unix socket path, or empty
  std::string directory;  // where its regions and catalogue live
};

struct DaemonConfig {
  uint64_t region_size = 128ull << 20;
  uint32_t max_message_size_percent = 1;
  uint64_t capacity = 0;
  uint32_t space_overload_yellow = 80;
  uint32_t space_overload_red = 90;
  uint64_t flush_interval_ms = 1000;
  int local_index = -1;
  std::vector<DaemonAddress> daemons;
  // The shared key's file. Required: there is no unauthenticated mode (replicated/FORMAT.md,
  // "Authentication").
  std::string auth_key_file;
  // The key itself, read from auth_key_file by LoadDaemonConfig or LoadAuthKey (never written
  // by FormatDaemonConfig). Every connection to a daemon proves knowledge of it.
  std::string auth_key;

  // The largest frame a daemon accepts: Maximum Message Size Percent of a region.
  uint64_t max_message_bytes() const { return region_size * max_message_size_percent / 100; }
  // The instance's daemons: its primary, hash(instance) mod N, and the next one, its peer.
  std::pair<int, int> PairOf(const std::string& instance) const;
};

Status Validate(const DaemonConfig& config);

// `n` daemons on this machine, for tests and benchmarks: addresses 127.0.0.2, 127.0.0.3, ...
// on ports free now, directories <directory>/rsd<i>, a fresh random key in <directory>/rsd.key
// (and in auth_key).
DaemonConfig LoopbackDaemons(int n, const std::string& directory, uint64_t region_size);
// `source` names the text in errors (a file path).
Result<DaemonConfig> ParseDaemonConfig(std::string_view toml_text, std::string_view source = "<config>");
// Reads and parses `path`, then loads the key (LoadAuthKey) from its auth_key_file, a relative
// one taken from the directory of `path`; `key_file`, when given, is read instead (an
// operator's own copy of the key).
Result<DaemonConfig> LoadDaemonConfig(const std::string& path, const std::string& key_file = "");
// Reads config->auth_key_file into config->auth_key. Refused, naming the file, when it is
// missing, open to group or others (as ssh refuses a key), or shorter than 32 bytes.
Status LoadAuthKey(DaemonConfig* config);
// The TOML text that ParseDaemonConfig reads back as `config` (for tests and tools that write
// a configuration file for daemons or agents they start).
std::string FormatDaemonConfig(const DaemonConfig& config);

}  // namespace hastore::replicated
