// A deterministic workload for fault tests of the file store, the model of what it
// acknowledged, and the check of a recovered store against that model.
//
// The workload defines two connections, then commits transactions of creates (in both
// connections), updates and removes of earlier records, and a few multi-op transactions, with
// records from a few bytes to 60 KiB, so that it rolls over several 1 MiB segments. It is
// single-threaded and deterministic: the same store state gives the same handles and the same
// sequence of I/Os, which is what lets a test number the I/Os and crash at each one.
//
// It stops at the first step that fails. Every step before it was acknowledged; the failed one
// is "in flight": after recovery it may be there whole or not at all, never in part.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "hastore/filestore/file_store.h"
#include "hastore/storage/config.h"
#include "hastore/storage/fault_fs.h"
#include "hastore/storage/store.h"

namespace hastore::testing {

inline constexpr char kFaultDir[] = "/db";
inline constexpr int kWorkloadTransactions = 60;

// A store in kFaultDir with 1 MiB segments, for the FaultFileSystem.
StoreConfig FaultStoreConfig(SyncPolicy policy, const std::string& name = "crash");
// Opens on fs without background compaction (a FaultFileSystem makes it use the pwrite engine).
Result<std::unique_ptr<Store>> OpenStoreOn(FileSystem& fs, const StoreConfig& config,
                                             const Ownership& ownership = Ownership{0, "fault test"});

// What a store holds: connection name -> handle -> data. Connections without records count.
struct StoreImage {
  std::map<std::string, std::map<Handle, std::string>> connections;
  bool operator==(const StoreImage&) const = default;
};
// Where two images differ, for failure messages.
std::string DescribeDifference(const StoreImage& want, const StoreImage& got);

struct WorkloadRun {
  StoreImage acked;                     // after every acknowledged step
  std::optional<StoreImage> in_flight;  // acked plus the step that failed, if one did
  std::set<Handle> handles;             // every handle ever created, acknowledged or not
  Status stopped;                       // the failure that stopped it; OK when it ran to the end
  int acked_steps = 0;                  // connections defined + transactions acknowledged
  std::unique_ptr<Store> store;         // null when the open failed
};

// The number of steps of a workload of `transactions` transactions (two connections first).
inline int WorkloadSteps(int transactions) { return transactions + 2; }

// The shape of a workload: how many transactions, and after which one (counting from 0) to
// run a forced compaction (CompactFileStore with force; -1: none). Compaction moves records
// but changes nothing a reader sees, so a failed compaction stops the workload with nothing
// in flight. The compacting workload compacts while its live records still fit in one
// segment, so that a compaction that never ends (compaction_test.cc) cannot hang the sweeps.
struct WorkloadShape {
  int transactions = kWorkloadTransactions;
  int compact_after = -1;
};
inline constexpr WorkloadShape kCompactingWorkload{24, 12};
inline int WorkloadSteps(WorkloadShape shape) { return WorkloadSteps(shape.transactions); }

// Opens the store on fs and runs the workload until a step fails (the store stays open).
WorkloadRun RunWorkload(FileSystem& fs, const StoreConfig& config, WorkloadShape shape = {});

// Deterministic record bytes for (step, op) of the given size.
std::string RecordData(int step, int op, size_t size);

// Reads everything the store holds: every connection by Scan, and every handle of `handles`
// by Read, which must agree with the scans (NotFound for a handle no scan returned).
::testing::AssertionResult ReadImage(const Store& store, const std::set<Handle>& handles, StoreImage* out);

// The store holds exactly run.acked, or exactly *run.in_flight; *matched gets the one it holds.
::testing::AssertionResult HoldsAckedState(const Store& store, const WorkloadRun& run, StoreImage* matched);

// InspectFileStore finds the instance undamaged.
::testing::AssertionResult InspectsClean(FaultFileSystem& fs, const StoreConfig& config);

// A sync policy as a test name: "DirectWrite", "CacheFlush", ...
inline std::string PolicyTestName(const ::testing::TestParamInfo<SyncPolicy>& info) {
  std::string name(ToString(info.param));
  std::erase(name, '-');
  return name;
}

// Number of .DAT files of the instance in kFaultDir.
size_t SegmentFiles(FaultFileSystem& fs);

// Whether an assertion failed since the mark was made. HasFailure() covers the whole test, and
// one failing crash point must not stop the next from running or being counted.
class FailureMark {
 public:
  FailureMark() : at_(Count()) {}
  bool clean() const { return Count() == at_; }

 private:
  static int Count() { return ::testing::UnitTest::GetInstance()->current_test_info()->result()->total_part_count(); }
  int at_;
};

// Silences the library's logger (log.h) for the life of the object, then gives it back its
// default sink: a sweep of hundreds of crash points would otherwise print every expected
// failure. HASTORE_TEST_LOG=1 keeps it.
class QuietLogs {
 public:
  QuietLogs();
  ~QuietLogs();
  QuietLogs(const QuietLogs&) = delete;
  QuietLogs& operator=(const QuietLogs&) = delete;
};

}  // namespace hastore::testing
