// The rows of a WLStore table (jdbcstore/FORMAT.md): what ID, TYPE, HANDLE and RECORD hold.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "hastore/storage/status.h"

namespace hastore::jdbcstore {

enum class RowType : int32_t { kOwner = 0, kRecord = 1, kConnection = 2 };

inline constexpr int64_t kOwnerRowId = 0;
// A connection's row: ID = -id, so it never meets a record's handle (1 and up).
inline constexpr int64_t ConnectionRowId(uint32_t id) { return -static_cast<int64_t>(id); }

// Handles reserved at a time in the owner row.
inline constexpr uint64_t kHandleReservation = 65536;

// The owner row's RECORD: "holder=<text>\nhandle_limit=<n>\n".
struct OwnerRecord {
  std::string holder;
  uint64_t handle_limit = 1;  // every assigned handle is below it
};

std::string EncodeOwnerRecord(const OwnerRecord& owner);
// `table` names the table in the error.
Result<OwnerRecord> ParseOwnerRecord(std::string_view bytes, std::string_view table);

}  // namespace hastore::jdbcstore
