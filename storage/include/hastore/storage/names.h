// The naming rules of DESIGN §4, as pure functions.
//
// Store, server and cluster names: 1–128 characters of ASCII letters, digits, '_' and '-'.
// A prefix is `[[catalog.]schema.]prefix`: parts of those characters separated by periods,
// optionally ending with a period. Connection names are data: any UTF-8 of 1–255 bytes, no NUL.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "hastore/storage/status.h"

namespace hastore {

enum class Distribution : uint8_t {
  kNone,         // not cluster-targeted: the instance is the store name
  kDistributed,  // one instance per cluster member: <store>@<server>
  kSingleton,    // one instance per cluster: <store>-01
};

std::string_view ToString(Distribution d);  // "none", "distributed", "singleton"
Result<Distribution> ParseDistribution(std::string_view text);

inline constexpr size_t kMaxNameLength = 128;
inline constexpr size_t kMaxConnectionNameBytes = 255;
inline constexpr uint32_t kMaxFileNumber = 999999;

// `what` names the thing in the error ("store name", "server name").
Status ValidateName(std::string_view what, std::string_view name);
Status ValidatePrefix(std::string_view prefix);
// Names that are data (connection names; lease names and record keys of ha/): UTF-8 of 1–255
// bytes without NUL. `what` names the thing in the error, as for ValidateName.
Status ValidateText(std::string_view what, std::string_view text);
Status ValidateConnectionName(std::string_view name);  // ValidateText("connection name", name)

// An instance name as InstanceName() builds it (a store name, "-01", or "@<server>").
Status ValidateInstanceName(std::string_view instance);

// Instance name; `server` is required (and validated) only for kDistributed.
Result<std::string> InstanceName(std::string_view store, std::string_view server, Distribution d);

// `<INSTANCE><NNNNNN>.DAT` and `.RGN`: the instance upper-cased, six digits.
Result<std::string> DatFileName(std::string_view instance, uint32_t number);
Result<std::string> RgnFileName(std::string_view instance, uint32_t number);
// `WLStoreCache/<INSTANCE><NNNNNN>.DAT.cache`, relative to the cache directory.
Result<std::string> CacheFileName(std::string_view instance, uint32_t number);

// A `.DAT` file name split into its upper-cased instance and number; nullopt if it is not one.
struct SegmentFileName {
  std::string instance_upper;
  uint32_t number = 0;
};
std::optional<SegmentFileName> ParseDatFileName(std::string_view file_name);

// The JDBC table of DESIGN §4. An empty prefix means "not set".
Result<std::string> TableName(std::string_view prefix, Distribution d, std::string_view store,
                              std::string_view server);

// The upper-cased instance name: the key under which two instances would collide in one folder.
std::string UpperInstance(std::string_view instance);

}  // namespace hastore
