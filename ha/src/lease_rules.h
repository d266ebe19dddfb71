// The rules of lease_authority.h as pure functions over one lease's stored row, for an
// authority that keeps rows itself (local). Times are the authority's clock in ms.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "hastore/ha/lease_authority.h"

namespace hastore::ha {

struct LeaseRow {
  uint64_t epoch = 0;
  int64_t end_ms = 0;   // the lease ends at this time; 0 with an empty server: released
  std::string server;   // "" free
  std::string session;
};

// Stored form: epoch (8 bytes LE), end (8 bytes LE), server length (2), server, session.
std::string EncodeLeaseRow(const LeaseRow& row);
// `name` is for the error (kCorruption naming the lease).
Result<LeaseRow> DecodeLeaseRow(std::string_view bytes, std::string_view name);

// Names and holders must be non-empty; server a DESIGN §4 name.
Status CheckLeaseRequest(std::string_view name, const LeaseHolder& holder);

// The row after `holder` acquires `name` at `now`, or kLocked naming the holder and time left.
Result<LeaseRow> AcquireRow(std::string_view name, const std::optional<LeaseRow>& row, const LeaseHolder& holder,
                            uint64_t ttl_ms, uint64_t grace_ms, int64_t now);
// Free, epoch kept.
LeaseRow ReleasedRow(const LeaseRow& row);
// The row is still `lease`: same epoch and session (live or not).
bool HeldBy(const LeaseRow& row, const Lease& lease);
LeaseView ViewOf(std::string_view name, const LeaseRow& row, int64_t now);
// OK while `guard` is held live by its session with its epoch; kFenced naming the guard and the
// record otherwise.
Status CheckGuard(const Lease& guard, const std::optional<LeaseRow>& row, int64_t now, std::string_view key);

}  // namespace hastore::ha
