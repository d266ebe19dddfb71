// The naming rules of DESIGN §4. Every function here is pure: no I/O, no global state.
#include "hastore/storage/names.h"

#include <cstdio>

namespace hastore {

namespace {

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

// `text` with every byte outside printable ASCII shown as \xNN, so that a message naming a bad
// name is itself readable (NUL, control bytes, UTF-8 sequences).
std::string Printable(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
      out += buf;
    }
  }
  return out;
}

// The characters and length of one identifier; `max_length` lets a singleton instance name
// (a name plus "-01") be checked by the same rule.
Status CheckIdentifier(std::string_view what, std::string_view name, size_t max_length) {
  if (name.empty()) return Status::InvalidArgument(std::string(what) + " is empty");
  if (name.size() > max_length) {
    return Status::InvalidArgument(std::string(what) + " '" + Printable(name) + "' is " +
                                   std::to_string(name.size()) + " characters long; the maximum is " +
                                   std::to_string(max_length));
  }
  for (size_t i = 0; i < name.size(); ++i) {
    if (IsNameChar(name[i])) continue;
    return Status::InvalidArgument(std::string(what) + " '" + Printable(name) + "' contains the character '" +
                                   Printable(name.substr(i, 1)) + "' at position " + std::to_string(i) +
                                   "; allowed are ASCII letters, digits, '_' and '-'");
  }
  return Status::Ok();
}

}  // namespace

Status ValidateInstanceName(std::string_view instance) {
  size_t at = instance.find('@');
  if (at == std::string_view::npos) {
    return CheckIdentifier("instance name", instance, kMaxNameLength + 3);  // "-01"
  }
  if (instance.find('@', at + 1) != std::string_view::npos) {
    return Status::InvalidArgument("instance name '" + Printable(instance) + "' has more than one '@'");
  }
  HASTORE_RETURN_IF_ERROR(ValidateName("store name of instance", instance.substr(0, at)));
  return ValidateName("server name of instance", instance.substr(at + 1));
}

namespace {

// The lead byte of a multi-byte UTF-8 sequence: its marker bits, its length, and the smallest code
// point that needs that length (anything below is an overlong form).
struct Utf8Lead {
  unsigned char mask;
  unsigned char marker;
  size_t length;
  uint32_t min_code_point;
};
constexpr Utf8Lead kUtf8Leads[] = {{0xE0, 0xC0, 2, 0x80}, {0xF0, 0xE0, 3, 0x800}, {0xF8, 0xF0, 4, 0x10000}};

// The byte offset of the first byte that is not part of well-formed UTF-8 (no overlong forms,
// no surrogates, nothing above U+10FFFF), or npos.
size_t FirstInvalidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    const Utf8Lead* lead = nullptr;
    for (const Utf8Lead& l : kUtf8Leads) {
      if ((c & l.mask) == l.marker) lead = &l;
    }
    if (lead == nullptr || i + lead->length > s.size()) return i;
    uint32_t cp = c & static_cast<unsigned char>(~lead->mask);
    for (size_t k = 1; k < lead->length; ++k) {
      const unsigned char cc = s[i + k];
      if ((cc & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (cp < lead->min_code_point || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += lead->length;
  }
  return std::string_view::npos;
}

// `<UPPER INSTANCE><NNNNNN><suffix>`, the shape of every segment-like file.
Result<std::string> SegmentName(std::string_view instance, uint32_t number, std::string_view suffix) {
  HASTORE_RETURN_IF_ERROR(ValidateInstanceName(instance));
  if (number > kMaxFileNumber) {
    return Status::InvalidArgument("file number " + std::to_string(number) + " of instance '" +
                                   std::string(instance) + "' is over the maximum " +
                                   std::to_string(kMaxFileNumber));
  }
  char digits[8];
  std::snprintf(digits, sizeof digits, "%06u", static_cast<unsigned>(number));
  return UpperInstance(instance) + digits + std::string(suffix);
}

}  // namespace

std::string_view ToString(Distribution d) {
  switch (d) {
    case Distribution::kNone: return "none";
    case Distribution::kDistributed: return "distributed";
    case Distribution::kSingleton: return "singleton";
  }
  return "unknown";
}

Result<Distribution> ParseDistribution(std::string_view text) {
  for (Distribution d : {Distribution::kNone, Distribution::kDistributed, Distribution::kSingleton}) {
    if (text == ToString(d)) return d;
  }
  return Status::InvalidArgument("unknown distribution '" + Printable(text) +
                                 "'; valid are none, distributed, singleton");
}

Status ValidateName(std::string_view what, std::string_view name) {
  return CheckIdentifier(what, name, kMaxNameLength);
}

Status ValidatePrefix(std::string_view prefix) {
  if (prefix.empty()) return Status::Ok();  // not set
  std::string_view rest = prefix.back() == '.' ? prefix.substr(0, prefix.size() - 1) : prefix;
  int parts = 0;
  while (true) {
    size_t dot = rest.find('.');
    std::string_view part = rest.substr(0, dot);
    if (++parts > 3) {
      return Status::InvalidArgument("prefix '" + Printable(prefix) +
                                     "' has more than three parts ([[catalog.]schema.]prefix)");
    }
    Status s = ValidateName("part " + std::to_string(parts), part);
    if (!s.ok()) return Status::InvalidArgument("prefix '" + Printable(prefix) + "': " + s.message());
    if (dot == std::string_view::npos) return Status::Ok();
    rest.remove_prefix(dot + 1);
  }
}

Status ValidateText(std::string_view what, std::string_view text) {
  const std::string subject(what);
  if (text.empty()) return Status::InvalidArgument(subject + " is empty");
  if (text.size() > kMaxConnectionNameBytes) {
    return Status::InvalidArgument(subject + " '" + Printable(text.substr(0, 32)) + "...' is " +
                                   std::to_string(text.size()) + " bytes long; the maximum is " +
                                   std::to_string(kMaxConnectionNameBytes));
  }
  if (size_t nul = text.find('\0'); nul != std::string_view::npos) {
    return Status::InvalidArgument(subject + " '" + Printable(text) + "' contains NUL at byte " +
                                   std::to_string(nul));
  }
  if (size_t bad = FirstInvalidUtf8(text); bad != std::string_view::npos) {
    return Status::InvalidArgument(subject + " '" + Printable(text) + "' is not valid UTF-8 at byte " +
                                   std::to_string(bad));
  }
  return Status::Ok();
}

Status ValidateConnectionName(std::string_view name) { return ValidateText("connection name", name); }

Result<std::string> InstanceName(std::string_view store, std::string_view server, Distribution d) {
  HASTORE_RETURN_IF_ERROR(ValidateName("store name", store));
  switch (d) {
    case Distribution::kNone: return std::string(store);
    case Distribution::kSingleton: return std::string(store) + "-01";
    case Distribution::kDistributed:
      HASTORE_RETURN_IF_ERROR(ValidateName("server name", server));
      return std::string(store) + "@" + std::string(server);
  }
  return Status::InvalidArgument("unknown distribution for store '" + std::string(store) + "'");
}

Result<std::string> DatFileName(std::string_view instance, uint32_t number) {
  return SegmentName(instance, number, ".DAT");
}

Result<std::string> RgnFileName(std::string_view instance, uint32_t number) {
  return SegmentName(instance, number, ".RGN");
}

Result<std::string> CacheFileName(std::string_view instance, uint32_t number) {
  Result<std::string> name = SegmentName(instance, number, ".DAT.cache");
  if (!name.ok()) return name;
  return "WLStoreCache/" + *name;
}

std::optional<SegmentFileName> ParseDatFileName(std::string_view file_name) {
  constexpr std::string_view kSuffix = ".DAT";
  constexpr size_t kDigits = 6;
  if (file_name.size() <= kSuffix.size() + kDigits || !file_name.ends_with(kSuffix)) return std::nullopt;
  std::string_view stem = file_name.substr(0, file_name.size() - kSuffix.size());
  std::string_view instance = stem.substr(0, stem.size() - kDigits);
  uint32_t number = 0;
  for (char c : stem.substr(instance.size())) {
    if (c < '0' || c > '9') return std::nullopt;
    number = number * 10 + static_cast<uint32_t>(c - '0');
  }
  if (instance != UpperInstance(instance) || !ValidateInstanceName(instance).ok()) return std::nullopt;
  return SegmentFileName{std::string(instance), number};
}

Result<std::string> TableName(std::string_view prefix, Distribution d, std::string_view store,
                              std::string_view server) {
  HASTORE_RETURN_IF_ERROR(ValidatePrefix(prefix));
  HASTORE_RETURN_IF_ERROR(InstanceName(store, server, d).status());
  const std::string p(prefix);
  const bool qualifier = !p.empty() && p.back() == '.';
  switch (d) {
    case Distribution::kNone: return p + "WLStore";
    case Distribution::kDistributed:
      // Unlike Singleton, a qualifier keeps the "_": "myPrefix." gives "myPrefix._myServer_WLStore".
      return (p.empty() ? "" : p + "_") + std::string(server) + "_WLStore";
    case Distribution::kSingleton:
      // A schema qualifier alone would give "schema._01_WLStore"; the table gets an "S" instead.
      return (p.empty() || qualifier ? p + "S" : p) + "_01_WLStore";
  }
  return Status::InvalidArgument("unknown distribution for store '" + std::string(store) + "'");
}

std::string UpperInstance(std::string_view instance) {
  std::string out(instance);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

}  // namespace hastore
