// The records of cluster state in the lease authority (LeaseAuthority::PutRecord), their keys
// and their JSON values. Who writes what:
//   cluster.start            the master, at the start of a cluster run: {"ms": t}
//   server.<name>            the server itself: {"up_since": t} at start, {"shut_down": t} at an orderly stop
//   plan.<instance>          the master, guarded by its lease: {"server", "not_before", "reason"}
//   last.<instance>          the server that activated it: {"server", "epoch", "ms"}
//   failure.<instance>       the server it failed on: {"server", "failures", "last_ms", "given_up_on"}
//   pin.<instance>           `hastore migrate`: {"server"}
//   migration.<instance>     `hastore migrate` (requested), then the agents that carry it out
//                            (succeeded, failed, notes): the Status of Last Migration (migration.h)
// Times are the authority's clock (LeaseAuthority::NowMs).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hastore/ha/migration.h"  // MigrationStatus
#include "hastore/ha/placement.h"
#include "hastore/storage/status.h"

namespace hastore::ha {

inline constexpr std::string_view kClusterStartKey = "cluster.start";
inline std::string ServerRecordKey(std::string_view server) { return "server." + std::string(server); }
inline std::string PlanKey(std::string_view instance) { return "plan." + std::string(instance); }
inline std::string LastKey(std::string_view instance) { return "last." + std::string(instance); }
inline std::string FailureKey(std::string_view instance) { return "failure." + std::string(instance); }
inline std::string PinKey(std::string_view instance) { return "pin." + std::string(instance); }
inline std::string MigrationKey(std::string_view instance) { return "migration." + std::string(instance); }

struct ServerRecord {
  int64_t up_since_ms = -1;
  int64_t shut_down_ms = -1;  // >= 0: the last run ended in an orderly shutdown
};

struct LastRun {
  std::string server;
  uint64_t epoch = 0;
  int64_t ms = 0;
};

struct FailureRecord {
  std::string server;
  uint32_t failures = 0;
  int64_t last_ms = -1;
  std::vector<std::string> given_up_on;
};

std::string Encode(const Assignment& a);
std::string Encode(const ServerRecord& r);
std::string Encode(const LastRun& r);
std::string Encode(const FailureRecord& r);
std::string Encode(const MigrationStatus& r);
std::string EncodePin(std::string_view server);
std::string EncodeClusterStart(int64_t ms);

// `key` names the record in errors (kCorruption).
Result<Assignment> DecodeAssignment(std::string_view key, std::string_view json);
Result<ServerRecord> DecodeServerRecord(std::string_view key, std::string_view json);
Result<LastRun> DecodeLastRun(std::string_view key, std::string_view json);
Result<FailureRecord> DecodeFailure(std::string_view key, std::string_view json);
Result<MigrationStatus> DecodeMigration(std::string_view key, std::string_view json);
Result<std::string> DecodePin(std::string_view key, std::string_view json);
Result<int64_t> DecodeClusterStart(std::string_view key, std::string_view json);

}  // namespace hastore::ha
