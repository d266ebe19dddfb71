// Reading TOML documents (toml++) with errors that name the file, line, column and key: the
// store, cluster and replication daemon configurations all read theirs this way.
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hastore/storage/status.h"

namespace hastore {

// The document `text`; a syntax error is kInvalidArgument "<source>:<line>:<column>: TOML
// syntax error: ...". (Debian's toml++ reports syntax errors as exceptions, which must not
// cross our API.)
Result<toml::table> ParseTomlDocument(std::string_view text, std::string_view source);

// kInvalidArgument "<source>:<line>:<column>: <message>".
Status TomlError(std::string_view source, const toml::source_region& where, const std::string& message);

// Values of one document, each checked for its type (and range), the error naming the key.
class TomlReader {
 public:
  explicit TomlReader(std::string_view source) : source_(source) {}

  // "<source>:<line>:<column>: <key>: <message>".
  Status At(const toml::node& node, std::string_view key, const std::string& message) const;

  template <class T>
  Status Value(const toml::node& node, std::string_view key, std::string_view expected, T* out) const {
    const toml::value<T>* v = node.as<T>();
    if (v == nullptr) return At(node, key, "expected " + std::string(expected) + ", got " + TypeName(node));
    *out = v->get();
    return Status::Ok();
  }
  Status String(const toml::node& n, std::string_view key, std::string* out) const { return Value(n, key, "a string", out); }
  Status Bool(const toml::node& n, std::string_view key, bool* out) const { return Value(n, key, "a boolean", out); }
  // An integer in [lo, hi]; the message says the range.
  Status Int(const toml::node& n, std::string_view key, int64_t lo, int64_t hi, int64_t* out) const;
  template <class U>
  Status Unsigned(const toml::node& n, std::string_view key, int64_t lo, int64_t hi, U* out) const {
    int64_t v = 0;
    HASTORE_RETURN_IF_ERROR(Int(n, key, lo, hi, &v));
    *out = static_cast<U>(v);
    return Status::Ok();
  }
  Status Strings(const toml::node& n, std::string_view key, std::vector<std::string>* out) const;
  // The table at `n`, or nullptr with *error set.
  const toml::table* Table(const toml::node& n, std::string_view key, Status* error) const;
  Status Unknown(const toml::key& key, std::string_view dotted) const;
  std::string_view source() const { return source_; }

  static std::string TypeName(const toml::node& node);

 private:
  std::string_view source_;
};

// Every key of `table` goes to `read(key, node, dotted)`, where dotted is "<prefix>.<key>" (just
// the key when prefix is empty); `read` returns kNotFound for a key it does not know.
template <class Fn>
Status ForEachTomlKey(const TomlReader& r, const toml::table& table, std::string_view prefix, Fn&& read) {
  for (const auto& [key, node] : table) {
    const std::string dotted = prefix.empty() ? std::string(key.str()) : std::string(prefix) + "." + std::string(key.str());
    Status s = read(key.str(), node, dotted);
    if (s.code() == StatusCode::kNotFound) return r.Unknown(key, dotted);
    HASTORE_RETURN_IF_ERROR(s);
  }
  return Status::Ok();
}

}  // namespace hastore
