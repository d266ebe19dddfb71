#include "instance_index.h"

#include <optional>

namespace hastore::ha {

InstanceIndex::InstanceIndex(const ClusterConfig& config) : config_(config) {
  for (InstanceSpec& spec : Instances(config_)) {
    std::string name = spec.instance;
    specs_.emplace(std::move(name), std::move(spec));
  }
}

const InstanceSpec* InstanceIndex::Find(std::string_view name) {
  auto it = specs_.find(name);
  if (it != specs_.end()) return &it->second;
  std::optional<InstanceSpec> orphan = OrphanInstance(config_, name);
  if (!orphan) return nullptr;
  return &specs_.emplace(std::string(name), std::move(*orphan)).first->second;
}

}  // namespace hastore::ha
