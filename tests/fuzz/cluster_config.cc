// The cluster's TOML configuration (ha/cluster_config.h: ParseClusterConfig), as an operator
// writes it. Invariants: what parses is valid; every instance it defines is valid and found
// again by its name.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "hastore/ha/cluster_config.h"
#include "hastore/internal/check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hastore;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Result<ha::ClusterConfig> config = ha::ParseClusterConfig(text, "fuzz.toml");
  if (!config.ok()) return 0;
  HASTORE_CHECK(ha::Validate(*config).ok(), "a parsed cluster configuration fails Validate");
  for (const ha::InstanceSpec& spec : ha::Instances(*config)) {
    HASTORE_CHECK(Validate(spec.config).ok(), "instance " + spec.instance + " has an invalid store configuration");
    HASTORE_CHECK(spec.config.instance() == spec.instance, "instance " + spec.instance + " is named " + spec.config.instance());
    std::optional<ha::InstanceSpec> found = ha::FindInstance(*config, spec.instance);
    HASTORE_CHECK(found && found->instance == spec.instance, "instance " + spec.instance + " is not found by its name");
  }
  return 0;
}
