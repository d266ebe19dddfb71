// Uses hastore::ha alone: a cluster configuration with an unknown key is refused by name.
#include <hastore/ha/cluster_config.h>

#include <cstdio>

int main() {
  auto config = hastore::ha::ParseClusterConfig("no_such_key = 1\n", "cluster.toml");
  if (config.ok()) return 1;
  std::printf("ok ha: %s\n", config.status().ToString().c_str());
  return 0;
}
