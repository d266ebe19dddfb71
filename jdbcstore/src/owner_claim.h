// Who may open a WLStore table for writing (the ownership table of jdbcstore/FORMAT.md), as a
// pure function of what the owner row and the session lock say.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "hastore/storage/status.h"

namespace hastore::jdbcstore {

struct StoredOwner {
  uint64_t epoch = 0;
  std::string holder;
};

// The epoch the opener takes, or kFenced (its lease epoch is older than the stored one) or
// kLocked (another live owner holds the table and the opener has no newer epoch). `requested`
// 0 is single-server mode. `other_live`: another session holds the table's session lock.
Result<uint64_t> DecideOwnerClaim(std::string_view table, const std::optional<StoredOwner>& stored,
                                  uint64_t requested, bool other_live);

}  // namespace hastore::jdbcstore
