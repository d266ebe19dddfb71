// A store's TOML configuration (storage/config.h: ParseStoreConfig), as an operator writes it.
// Invariants: what parses is valid, and its instance (and JDBC table) name can be made.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "hastore/internal/check.h"
#include "hastore/storage/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hastore;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Result<StoreConfig> config = ParseStoreConfig(text, "fuzz.toml");
  if (!config.ok()) return 0;
  HASTORE_CHECK(Validate(*config).ok(), "a parsed store configuration fails Validate");
  HASTORE_CHECK(ValidateInstanceName(config->instance()).ok(), "instance name '" + config->instance() + "' is not valid");
  if (config->kind == StoreKind::kJdbc) HASTORE_CHECK(!config->table().empty(), "a JDBC store without a table name");
  return 0;
}
