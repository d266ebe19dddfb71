// Uses hastore::replicated alone: a daemon configuration written and read back.
#include <hastore/replicated/daemon_config.h>

#include <cstdio>

int main() {
  const hastore::replicated::DaemonConfig config = hastore::replicated::LoopbackDaemons(2, "/tmp/rsd", 1 << 20);
  auto back = hastore::replicated::ParseDaemonConfig(hastore::replicated::FormatDaemonConfig(config));
  if (!back.ok()) {
    std::printf("%s\n", back.status().ToString().c_str());
    return 1;
  }
  std::printf("ok replicated: %zu daemons\n", back.value().daemons.size());
  return 0;
}
