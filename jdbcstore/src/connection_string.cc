#include "hastore/jdbcstore/connection_string.h"

#include <algorithm>
#include <cctype>

namespace hastore {

std::vector<ConnectionStringPair> SplitConnectionString(std::string_view cs) {
  std::vector<ConnectionStringPair> pairs;
  size_t at = 0;
  while (at < cs.size()) {
    const size_t semi = cs.find(';', at);
    const size_t eq = cs.find('=', at);
    const bool has_value = eq != std::string_view::npos && eq < semi;
    size_t end = semi;
    if (has_value && eq + 1 < cs.size() && cs[eq + 1] == '{') {
      const size_t close = cs.find('}', eq);
      end = close == std::string_view::npos ? std::string_view::npos : cs.find(';', close);
    }
    if (end == std::string_view::npos) end = cs.size();
    if (end > at) {
      pairs.push_back(has_value ? ConnectionStringPair{std::string(cs.substr(at, eq - at)),
                                                       std::string(cs.substr(eq + 1, end - eq - 1)), true}
                                : ConnectionStringPair{std::string(cs.substr(at, end - at)), "", false});
    }
    at = end + 1;
  }
  return pairs;
}

std::string JoinConnectionString(const std::vector<ConnectionStringPair>& pairs) {
  std::string out;
  for (const ConnectionStringPair& p : pairs) {
    out += (out.empty() ? "" : ";") + p.key + (p.has_value ? "=" + p.value : "");
  }
  return out;
}

bool SameConnectionStringKey(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string ConnectionStringValue(std::string_view cs, std::string_view key) {
  for (const ConnectionStringPair& p : SplitConnectionString(cs)) {
    if (p.has_value && SameConnectionStringKey(p.key, key)) return p.value;
  }
  return "";
}

std::string RedactConnectionString(std::string_view cs) {
  std::vector<ConnectionStringPair> pairs = SplitConnectionString(cs);
  for (ConnectionStringPair& p : pairs) {
    if (p.has_value && (SameConnectionStringKey(p.key, "Pwd") || SameConnectionStringKey(p.key, "Password"))) {
      p.value = "***";
    }
  }
  return JoinConnectionString(pairs);
}

}  // namespace hastore
