// How verbs print record bytes and JSON.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace hastore::tools {

// Objects keep their keys in insertion order, so output reads in the order a verb builds it.
using Json = nlohmann::ordered_json;

// Printable ASCII as is (a backslash doubled), every other byte as \xNN: one line, no tabs.
std::string EscapeBytes(std::string_view bytes);

// Standard base64 (RFC 4648) with padding.
std::string Base64(std::string_view bytes);

// A span of time for people: "850 ms", "3.2 s", "4 min 12 s".
std::string Duration(int64_t ms);

// `value` on stdout, indented, with a final newline.
void PrintJson(const Json& value);

}  // namespace hastore::tools
