#include "hastore/jdbcstore/connection_string.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "hastore/storage/secret_file.h"

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

namespace {

bool IsPasswordKey(std::string_view key) { return SameConnectionStringKey(key, "Pwd") || SameConnectionStringKey(key, "Password"); }
bool IsUserKey(std::string_view key) {
  return SameConnectionStringKey(key, "Uid") || SameConnectionStringKey(key, "User") || SameConnectionStringKey(key, "Username");
}

}  // namespace

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
    if (p.has_value && IsPasswordKey(p.key)) {
      p.value = "***";
    }
  }
  return JoinConnectionString(pairs);
}

std::string BracedConnectionStringValue(std::string_view value) {
  std::string out = "{";
  for (char c : value) {
    out.push_back(c);
    if (c == '}') out.push_back('}');
  }
  return out + "}";
}

std::string UnbracedConnectionStringValue(std::string_view value) {
  if (value.size() < 2 || value.front() != '{' || value.back() != '}') return std::string(value);
  std::string out;
  const std::string_view inner = value.substr(1, value.size() - 2);
  for (size_t i = 0; i < inner.size(); ++i) {
    out.push_back(inner[i]);
    if (inner[i] == '}' && i + 1 < inner.size() && inner[i + 1] == '}') ++i;
  }
  return out;
}

Result<std::string> WithPassword(std::string_view cs, const std::function<Result<std::string>(const std::string&)>& read_file,
                                 const char* env_password) {
  std::vector<ConnectionStringPair> pairs = SplitConnectionString(cs);
  ConnectionStringPair* file = nullptr;
  bool has_password = false, has_user = false;
  for (ConnectionStringPair& p : pairs) {
    if (SameConnectionStringKey(p.key, kPasswordFileKey)) {
      if (file != nullptr) return Status::InvalidArgument("connection string names PwdFile= twice");
      file = &p;
    }
    has_password |= IsPasswordKey(p.key);
    has_user |= p.has_value && IsUserKey(p.key);
  }
  if (file != nullptr) {
    const std::string path = UnbracedConnectionStringValue(file->value);
    if (has_password) return Status::InvalidArgument("connection string has both PwdFile=" + path + " and a Pwd=: give one");
    if (path.empty()) return Status::InvalidArgument("connection string has PwdFile= without a path");
    Result<std::string> password = read_file(path);
    if (!password.ok()) return password.status();
    *file = ConnectionStringPair{"Pwd", BracedConnectionStringValue(WithoutTrailingNewline(std::move(*password))), true};
    return JoinConnectionString(pairs);
  }
  if (!has_password && has_user && env_password != nullptr) {
    pairs.push_back(ConnectionStringPair{"Pwd", BracedConnectionStringValue(env_password), true});
    return JoinConnectionString(pairs);
  }
  return std::string(cs);
}

Result<std::string> WithPassword(std::string_view cs) {
  return WithPassword(
      cs, [](const std::string& path) { return ReadSecretFile(path, "database password file"); },
      std::getenv(kPasswordEnvironmentVariable));
}

}  // namespace hastore
