// ODBC connection strings (jdbcstore/connection_string.h), as a user writes them in a `jdbc:`
// operand or a store's [jdbc] connection. Invariants: what Join writes splits back into the
// same pairs; redaction leaves no password value; a key's value is the first pair's.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "hastore/internal/check.h"
#include "hastore/jdbcstore/connection_string.h"

namespace hastore {
namespace {

bool IsPassword(std::string_view key) {
  return SameConnectionStringKey(key, "Pwd") || SameConnectionStringKey(key, "Password");
}

bool SamePairs(const std::vector<ConnectionStringPair>& a, const std::vector<ConnectionStringPair>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].key != b[i].key || a[i].value != b[i].value || a[i].has_value != b[i].has_value) return false;
  }
  return true;
}

}  // namespace
}  // namespace hastore

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hastore;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::vector<ConnectionStringPair> pairs = SplitConnectionString(text);
  const std::string joined = JoinConnectionString(pairs);
  HASTORE_CHECK(SamePairs(SplitConnectionString(joined), pairs), "split(join(split(s))) differs for '" + joined + "'");
  HASTORE_CHECK(joined.size() <= text.size(), "joining made the string longer");
  for (const ConnectionStringPair& p : SplitConnectionString(RedactConnectionString(text))) {
    HASTORE_CHECK(!p.has_value || !IsPassword(p.key) || p.value == "***", "password value '" + p.value + "' not redacted");
  }
  for (const ConnectionStringPair& p : pairs) {
    if (!p.has_value) continue;
    const std::string value = ConnectionStringValue(text, p.key);
    for (const ConnectionStringPair& q : pairs) {
      if (q.has_value && SameConnectionStringKey(q.key, p.key)) {
        HASTORE_CHECK(value == q.value, "value of " + p.key + " is not its first pair's");
        break;
      }
    }
  }
  return 0;
}
