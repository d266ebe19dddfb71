// Lease authorities (DESIGN §8): where servers claim exclusive, time-bounded leases on names —
// a server's liveness ("server.<name>"), an instance's ownership ("instance.<name>"), the
// cluster master ("master") — and keep the small records of cluster state (the plan, restart
// counts, the history of migrations).
//
// Two implementations behind this one interface:
//   `local`    — an LMDB environment shared by the servers of one host (local_lease_authority.h);
//   `database` — an ACTIVE-style table reached through ODBC (database_lease_authority.h).
//
// The rules every implementation keeps (tests/ha/lease_authority_test.cc runs them on both):
//   - Acquire is a compare-and-set. A lease that is free (never held, released, or expired
//     for longer than the grace period) is taken and its epoch grows by one. A lease already
//     held live by the same session is renewed, epoch unchanged. Otherwise kLocked, naming the
//     holder and how long it has left.
//   - Epochs never go down and are never reused, released or not: the epoch of an instance's
//     lease is the fencing token its store checks (file: fence file; jdbc: owner row).
//   - Renew extends only leases whose epoch and session still match and that have not expired.
//     An expired lease is never silently revived: its holder must Acquire again, which bumps
//     the epoch, because its instances may have been taken over and given back meanwhile.
//   - Expiry is judged by the authority's clock: the database's for `database`, the host's
//     boot-time monotonic clock for `local` (with the boot id, so a reboot frees every lease).
//     A holder judges its own lease by its own monotonic clock, from before it sent the request
//     (LeaseKeeper), so it always believes it has less time than the authority grants.
//
// Thread safety: every method may be called from any thread. Errors: kIOError (the authority
// cannot be reached; outcome of a write unknown), kLocked, kFenced (a lease this session
// thought it held is gone), kInvalidArgument.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hastore/storage/status.h"

namespace hastore::ha {

// Who holds a lease: the server's name, and one process's session of it (so a server that
// restarts under the same name cannot mistake its dead predecessor's lease for its own).
struct LeaseHolder {
  std::string server;   // DESIGN §4 server name
  std::string session;  // unique per process start: "<pid>@<host>/<random>"
};

// A lease as its holder got it.
struct Lease {
  std::string name;
  LeaseHolder holder;
  uint64_t epoch = 0;
  uint64_t ttl_ms = 0;  // granted for at least this long, counted from before the request
};

// A lease as anyone sees it.
struct LeaseView {
  std::string name;
  LeaseHolder holder;         // empty server: free (never held or released)
  uint64_t epoch = 0;         // last epoch granted (kept after release)
  int64_t remaining_ms = 0;   // by the authority's clock at the read; <= 0: expired
  bool held() const { return !holder.server.empty() && remaining_ms > 0; }
};

// A small named value of cluster state.
struct ClusterRecord {
  std::string key;
  std::string value;
};

class LeaseAuthority {
 public:
  virtual ~LeaseAuthority() = default;

  // Takes `name` for `holder` for `ttl_ms` (see the rules above). `grace_ms` is how long past
  // its end an unreleased lease of another holder stays untouchable (Fencing Grace Period).
  virtual Result<Lease> Acquire(std::string_view name, const LeaseHolder& holder, uint64_t ttl_ms,
                                uint64_t grace_ms) = 0;
  // Extends, in one round trip, every live lease of `holder.session`, to `ttl_ms` from now;
  // returns the leases it extended. A lease the caller held and is missing here is lost.
  virtual Result<std::vector<Lease>> RenewAll(const LeaseHolder& holder, uint64_t ttl_ms) = 0;
  // Ends `lease` if its epoch and session still hold it; a lease already lost is not an error.
  virtual Status Release(const Lease& lease) = 0;
  // The lease of `name`, held or not; nullopt if it was never acquired.
  virtual Result<std::optional<LeaseView>> Find(std::string_view name) = 0;
  // Every lease whose name starts with `prefix`, in name order.
  virtual Result<std::vector<LeaseView>> List(std::string_view prefix) = 0;

  // Writes a record, only while `guard` (the master lease) is still held live by its session
  // with its epoch, checked in the same transaction (kFenced otherwise). With no guard the
  // write is unconditional (an operator's request).
  virtual Status PutRecord(const Lease* guard, std::string_view key, std::string_view value) = 0;
  virtual Status EraseRecord(const Lease* guard, std::string_view key) = 0;
  virtual Result<std::optional<std::string>> GetRecord(std::string_view key) = 0;
  // Records whose key starts with `prefix`, in key order.
  virtual Result<std::vector<ClusterRecord>> ListRecords(std::string_view prefix) = 0;

  // The authority's clock, in milliseconds from an origin it keeps (the placement planner's time).
  virtual Result<int64_t> NowMs() = 0;

  // "local LMDB /var/lib/hastore/leases", "database ACTIVE on PostgreSQL": for messages.
  virtual std::string Describe() const = 0;
};

// Lease names.
inline constexpr std::string_view kServerLeasePrefix = "server.";
inline constexpr std::string_view kInstanceLeasePrefix = "instance.";
inline constexpr std::string_view kMasterLeaseName = "master";
inline std::string ServerLeaseName(std::string_view server) { return std::string(kServerLeasePrefix).append(server); }
inline std::string InstanceLeaseName(std::string_view instance) {
  return std::string(kInstanceLeasePrefix).append(instance);
}
// The instance whose lease is `lease_name` (InstanceLeaseName backwards); nullopt for a lease
// that is not an instance's.
inline std::optional<std::string> InstanceOfLease(std::string_view lease_name) {
  if (!lease_name.starts_with(kInstanceLeasePrefix)) return std::nullopt;
  return std::string(lease_name.substr(kInstanceLeasePrefix.size()));
}

}  // namespace hastore::ha
