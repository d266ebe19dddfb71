#include "hastore/storage/toml_reader.h"

#include <sstream>

namespace hastore {

Result<toml::table> ParseTomlDocument(std::string_view text, std::string_view source) {
  try {
    return toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    return TomlError(source, e.source(), "TOML syntax error: " + std::string(e.description()));
  }
}

Status TomlError(std::string_view source, const toml::source_region& where, const std::string& message) {
  return Status::InvalidArgument(std::string(source) + ":" + std::to_string(where.begin.line) + ":" +
                                 std::to_string(where.begin.column) + ": " + message);
}

Status TomlReader::At(const toml::node& node, std::string_view key, const std::string& message) const {
  return TomlError(source_, node.source(), std::string(key) + ": " + message);
}

std::string TomlReader::TypeName(const toml::node& node) {
  std::ostringstream out;
  out << node.type();
  return out.str();
}

Status TomlReader::Int(const toml::node& n, std::string_view key, int64_t lo, int64_t hi, int64_t* out) const {
  int64_t v = 0;
  HASTORE_RETURN_IF_ERROR(Value(n, key, "an integer", &v));
  if (v < lo || v > hi)
    return At(n, key, std::to_string(v) + " is out of range; expected " + std::to_string(lo) + " to " + std::to_string(hi));
  *out = v;
  return Status::Ok();
}

Status TomlReader::Strings(const toml::node& n, std::string_view key, std::vector<std::string>* out) const {
  const toml::array* array = n.as_array();
  if (array == nullptr) return At(n, key, "expected an array of strings, got " + TypeName(n));
  out->clear();
  for (const toml::node& item : *array) {
    out->emplace_back();
    HASTORE_RETURN_IF_ERROR(String(item, key, &out->back()));
  }
  return Status::Ok();
}

const toml::table* TomlReader::Table(const toml::node& n, std::string_view key, Status* error) const {
  const toml::table* t = n.as_table();
  if (t == nullptr) *error = At(n, key, "expected a table, got " + TypeName(n));
  return t;
}

Status TomlReader::Unknown(const toml::key& key, std::string_view dotted) const {
  return TomlError(source_, key.source(), "unknown key '" + std::string(dotted) + "'");
}

}  // namespace hastore
