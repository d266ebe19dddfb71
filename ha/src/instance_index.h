// The instances of a cluster configuration by name, for the agent, which looks one up at every
// claim, open and failure: Instances(config) is built once, as the configuration of a running
// agent never changes. A name it does not list is mapped back by OrphanInstance, once.
//
// Thread safety: one thread (the agent's).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "hastore/ha/cluster_config.h"

namespace hastore::ha {

class InstanceIndex {
 public:
  // `config` must outlive this, unchanged.
  explicit InstanceIndex(const ClusterConfig& config);
  InstanceIndex(const InstanceIndex&) = delete;
  InstanceIndex& operator=(const InstanceIndex&) = delete;

  // As FindInstance(config, name); null if neither the configuration nor OrphanInstance knows
  // it. The spec stays valid as long as this index.
  const InstanceSpec* Find(std::string_view name);
  const ClusterConfig& config() const { return config_; }

 private:
  const ClusterConfig& config_;
  std::map<std::string, InstanceSpec, std::less<>> specs_;  // Instances(config_), then orphans met
};

}  // namespace hastore::ha
