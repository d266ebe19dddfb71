#include "table_layout.h"

#include <charconv>

namespace hastore::jdbcstore {

std::string EncodeOwnerRecord(const OwnerRecord& owner) {
  std::string holder = owner.holder;
  for (char& c : holder) {
    if (c == '\n') c = ' ';  // one line per key
  }
  return "holder=" + holder + "\nhandle_limit=" + std::to_string(owner.handle_limit) + "\n";
}

Result<OwnerRecord> ParseOwnerRecord(std::string_view bytes, std::string_view table) {
  OwnerRecord owner;
  bool has_limit = false;
  while (!bytes.empty()) {
    const size_t nl = bytes.find('\n');
    const std::string_view line = bytes.substr(0, nl);
    bytes = nl == std::string_view::npos ? std::string_view() : bytes.substr(nl + 1);
    const size_t eq = line.find('=');
    const std::string_view key = line.substr(0, eq);
    const std::string_view value = eq == std::string_view::npos ? std::string_view() : line.substr(eq + 1);
    if (key == "holder") {
      owner.holder = value;
    } else if (key == "handle_limit") {
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), owner.handle_limit);
      has_limit = ec == std::errc() && end == value.data() + value.size();
    }
  }
  if (!has_limit) {
    return Status::Corruption("table " + std::string(table) + ": the owner row (ID 0) has no valid handle_limit");
  }
  return owner;
}

}  // namespace hastore::jdbcstore
