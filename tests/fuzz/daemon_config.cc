// The replication daemons' TOML configuration (replicated/daemon_config.h), read by every
// daemon and client. Invariants: what parses is valid, and FormatDaemonConfig writes text that
// parses back to the same configuration.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "hastore/internal/check.h"
#include "hastore/replicated/daemon_config.h"

namespace hastore::replicated {
namespace {

bool Same(const DaemonConfig& a, const DaemonConfig& b) {
  if (a.region_size != b.region_size || a.max_message_size_percent != b.max_message_size_percent ||
      a.capacity != b.capacity || a.space_overload_yellow != b.space_overload_yellow ||
      a.space_overload_red != b.space_overload_red || a.flush_interval_ms != b.flush_interval_ms ||
      a.local_index != b.local_index || a.daemons.size() != b.daemons.size()) {
    return false;
  }
  for (size_t i = 0; i < a.daemons.size(); ++i) {
    const DaemonAddress &x = a.daemons[i], &y = b.daemons[i];
    if (x.address != y.address || x.socket != y.socket || x.directory != y.directory) return false;
  }
  return true;
}

}  // namespace
}  // namespace hastore::replicated

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hastore::replicated;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  hastore::Result<DaemonConfig> config = ParseDaemonConfig(text, "fuzz.toml");
  if (!config.ok()) return 0;
  HASTORE_CHECK(Validate(*config).ok(), "a parsed configuration fails Validate");
  const std::string formatted = FormatDaemonConfig(*config);
  hastore::Result<DaemonConfig> again = ParseDaemonConfig(formatted, "formatted.toml");
  HASTORE_CHECK(again.ok(), "formatted text does not parse: " + again.status().ToString() + "\n" + formatted);
  HASTORE_CHECK(Same(*config, *again), "formatted text parses to another configuration:\n" + formatted);
  return 0;
}
