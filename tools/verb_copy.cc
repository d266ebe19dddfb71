// `hastore copy FROM TO`: every connection and record of one store into another, of any kinds,
// keeping handles. The reference system has no conversion between store types.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "store_locator.h"
#include "progress_meter.h"
#include "store_opener.h"
#include "verb.h"

namespace hastore::tools {
namespace {

constexpr std::string_view kVerb = "copy";
// A copy transaction stops growing at these (one record always goes).
constexpr size_t kRecordsPerTransaction = 1000;
constexpr uint64_t kBytesPerTransaction = 8ull << 20;

struct CopyArgs {
  std::string from, to;
};

struct CopyCounts {
  uint64_t records = 0, bytes = 0;
};

// One connection's records, in handle order, in transactions of bounded size.
Status CopyConnection(Store& from, Store& to, const Connection& source, CopyCounts& counts, ProgressMeter& progress) {
  Result<Connection> target = to.OpenConnection(source.name);
  if (!target.ok()) return target.status();
  Transaction txn = to.Begin();
  Status failed;
  Status scanned = from.Scan(source, [&](Handle handle, std::string_view data) {
    failed = txn.Restore(*target, handle, data);
    if (!failed.ok()) return false;
    ++counts.records;
    counts.bytes += data.size();
    if (txn.ops().size() >= kRecordsPerTransaction || txn.data_bytes() >= kBytesPerTransaction) {
      failed = to.Commit(std::exchange(txn, to.Begin()));
      progress.Update(counts.records);
    }
    return failed.ok();
  });
  HASTORE_RETURN_IF_ERROR(scanned);
  HASTORE_RETURN_IF_ERROR(failed);
  return to.Commit(std::move(txn));
}

// Copy writes only into an empty store: kInvalidArgument (a usage error) when `to` holds records.
Status CheckEmpty(const Store& to, const std::string& named) {
  const uint64_t records = to.Stats().records;
  if (records == 0) return Status::Ok();
  return Status::InvalidArgument("destination " + named + " already holds " + std::to_string(records) +
                                 " records; copy writes only into an empty store");
}

// The destination as it stands, read without a lock or a claim, so that a refusal changes
// nothing: a writable open bumps the fence epoch, makes a segment and records its holder
// before the records could be counted. A destination that does not exist yet is fine.
Status CheckDestination(const StoreLocation& to, const std::string& named) {
  Result<std::unique_ptr<Store>> existing = OpenReadOnly(to);
  if (existing.status().code() == StatusCode::kNotFound) return Status::Ok();
  if (!existing.ok()) return existing.status();
  Status empty = CheckEmpty(**existing, named);
  (void)(*existing)->Close();
  return empty;
}

int RunCopy(const CopyArgs& args) {
  auto from_location = LocateStore(StoreArgs{args.from, ""});
  if (!from_location.ok()) return Fail(kVerb, from_location.status());
  auto to_location = LocateStore(StoreArgs{args.to, ""});
  if (!to_location.ok()) return Fail(kVerb, to_location.status());
  auto from = OpenReadOnly(*from_location);
  if (!from.ok()) return Fail(kVerb, from.status());
  if (Status s = CheckDestination(*to_location, args.to); !s.ok()) return Fail(kVerb, s);
  auto to = OpenWritable(*to_location, "hastore copy pid " + std::to_string(::getpid()));
  if (!to.ok()) return Fail(kVerb, to.status());
  if (Status s = CheckEmpty(**to, args.to); !s.ok()) {  // records committed since CheckDestination
    (void)(*to)->Close();
    return Fail(kVerb, s);
  }
  CopyCounts counts;
  ProgressMeter progress(kVerb, ProgressMeter::Unit::kCount, (*from)->Stats().records, "records copied");
  const std::vector<Connection> connections = (*from)->Connections();
  for (const Connection& c : connections) {
    if (Status s = CopyConnection(**from, **to, c, counts, progress); !s.ok()) {
      (void)(*to)->Close();
      return Fail(kVerb, s);
    }
  }
  if (Status s = (*to)->Close(); !s.ok()) return Fail(kVerb, s);
  progress.Update(counts.records);
  progress.Finish();
  std::cout << "copied " << counts.records << " records (" << counts.bytes << " bytes) in " << connections.size()
            << " connections from " << from_location->instance << " to " << to_location->instance << '\n';
  return kExitOk;
}

}  // namespace

Verb AddCopyVerb(CLI::App& app) {
  auto args = std::make_shared<CopyArgs>();
  CLI::App* cmd = AddVerbCommand(app, "copy", "Copy every connection and record of one store into another",
      "FROM and TO are stores of any kind (file, jdbc), named as every verb names a store. FROM is read without a "
      "lock; TO is opened writable (created when new) and must hold no records. Connections keep their names and "
      "records their handles and bytes, in transactions of up to 1000 records. A destination that holds records is "
      "refused (exit 2) before anything is written to it. Shows the records copied so far on stderr when that is a "
      "terminal.");
  cmd->add_option("FROM", args->from, "The store to read. " + std::string(kStoreHelp))->required();
  cmd->add_option("TO", args->to, "The store to write, empty or new (same syntax)")->required();
  return {cmd, [args] { return RunCopy(*args); }};
}

}  // namespace hastore::tools
