// The STORE operand of the `hastore` verbs (tools/store_locator.h: `[file:]DIR/INSTANCE`,
// `jdbc:Key=Value;...`, `replicated:DAEMONS/INSTANCE`), as a user types it. Invariant: a
// located store's configuration names exactly the instance the operand named.
#include <cstddef>
#include <cstdint>
#include <string>

#include "hastore/internal/check.h"
#include "store_locator.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hastore;
  tools::StoreArgs args;
  args.store.assign(reinterpret_cast<const char*>(data), size);
  Result<tools::StoreLocation> location = tools::LocateStore(args);
  (void)tools::LocateDirectory(args);
  if (!location.ok()) return 0;
  HASTORE_CHECK(Validate(location->config).ok(), "operand '" + args.store + "' located an invalid configuration");
  HASTORE_CHECK(location->config.instance() == location->instance,
                "operand '" + args.store + "' names instance " + location->instance + " but opens " +
                    location->config.instance());
  return 0;
}
