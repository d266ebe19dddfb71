#include "owner_claim.h"

namespace hastore::jdbcstore {

Result<uint64_t> DecideOwnerClaim(std::string_view table, const std::optional<StoredOwner>& stored,
                                  uint64_t requested, bool other_live) {
  const std::string held_by =
      stored ? "held by " + stored->holder + " at epoch " + std::to_string(stored->epoch) : "being opened";
  if (stored && requested != 0 && requested < stored->epoch) {
    return Status::Fenced("table " + std::string(table) + " is " + held_by + "; this open's epoch " +
                          std::to_string(requested) + " is older");
  }
  // A newer lease epoch is the one way past a live owner: the lease authority moved the
  // instance, and the old owner's commits fail at the fence from now on.
  const bool newer = requested != 0 && (!stored || requested > stored->epoch);
  if (other_live && !newer) {
    return Status::Locked("table " + std::string(table) + " is " + held_by + ", which is still live");
  }
  if (requested != 0) return requested;
  return stored ? stored->epoch + 1 : 1;
}

}  // namespace hastore::jdbcstore
