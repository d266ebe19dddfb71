// Uses hastore::storage alone: a name rule and a Status.
#include <hastore/storage/names.h>

#include <cstdio>

int main() {
  auto instance = hastore::InstanceName("orders", "server1", hastore::Distribution::kDistributed);
  hastore::Status refused = hastore::ValidateName("store name", "a/b");
  if (!instance.ok() || refused.ok()) return 1;
  std::printf("ok storage: %s; %s\n", instance.value().c_str(), refused.ToString().c_str());
  return 0;
}
