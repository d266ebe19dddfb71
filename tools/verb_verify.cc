// `hastore verify`: checks every batch and record of a store. Reads only; takes no lock. Shows
// its progress on stderr when that is a terminal.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "connection_tally.h"
#include "inspection_report.h"
#include "log_progress.h"
#include "progress_meter.h"
#include "store_locator.h"
#include "store_opener.h"
#include "text_output.h"
#include "verb.h"

namespace hastore::tools {
namespace {

constexpr std::string_view kVerb = "verify";

struct VerifyArgs {
  StoreArgs store;
  bool json = false;
};

// A JDBC store: the open checks every row against FORMAT.md; then every record is read back.
int VerifyJdbc(const StoreLocation& location, bool json) {
  uint64_t records = 0, bytes = 0;
  Status damage;
  auto store = OpenReadOnly(location);
  if (store.ok()) {
    ProgressMeter progress(kVerb, ProgressMeter::Unit::kCount, (*store)->Stats().records, "records");
    auto tallies = TallyConnections(**store, [&](uint64_t read) { progress.Update(read); });
    progress.Finish();
    if (tallies.ok()) {
      for (const ConnectionTally& c : *tallies) {
        records += c.records;
        bytes += c.bytes;
      }
    } else {
      damage = tallies.status();
    }
  } else if (store.status().code() == StatusCode::kCorruption) {
    damage = store.status();
  } else {
    return Fail(kVerb, store.status());
  }
  if (json) {
    PrintJson(Json{{"instance", location.instance}, {"kind", "jdbc"}, {"table", location.config.table()},
                   {"records", records}, {"record_bytes", bytes}, {"clean", damage.ok()},
                   {"damage", damage.ok() ? "" : damage.message()}});
  } else if (damage.ok()) {
    std::cout << location.instance << ": clean: " << records << " records (" << bytes << " bytes) in table "
              << location.config.table() << '\n';
  } else {
    std::cout << "damage: " << damage.message() << '\n';
  }
  return damage.ok() ? kExitOk : kExitFailed;
}

int RunVerify(const VerifyArgs& args) {
  auto location = LocateStore(args.store);
  if (!location.ok()) return Fail(kVerb, location.status());
  if (location->config.kind == StoreKind::kJdbc) return VerifyJdbc(*location, args.json);
  auto log = OpenExistingLog(*location);
  if (!log.ok()) return Fail(kVerb, log.status());
  LogProgress progress(kVerb, *log, location->instance);
  auto in = InspectLog(*location, *log, [&](const StoredRecord& r) { progress.At(r.segment, r.offset); });
  if (!in.ok()) return Fail(kVerb, in.status());
  if (in->damage.ok()) progress.Done();
  const int exit_status = in->damage.ok() ? kExitOk : kExitFailed;
  if (args.json) {
    Json report = InspectionJson(location->directory, *in);
    report["clean"] = in->damage.ok();
    PrintJson(report);
    return exit_status;
  }
  if (!in->damage.ok()) {
    std::cout << DamageLine(*in) << '\n';
    return exit_status;
  }
  std::cout << in->instance << ": clean: " << in->records << " records (" << in->record_bytes << " bytes), "
            << in->transactions << " transactions in " << in->segments.size() << " segments\n";
  if (const std::string note = TornTailNote(*in); !note.empty()) std::cout << note << '\n';
  return exit_status;
}

}  // namespace

Verb AddVerifyVerb(CLI::App& app) {
  auto args = std::make_shared<VerifyArgs>();
  CLI::App* cmd = AddVerbCommand(app, "verify", "Check every checksum and batch of a store",
      "Clean: one summary line and exit 0; a torn tail at the end of the newest segment is a note, not damage. "
      "Damaged: 'damage: <path> at offset <n>: <reason>' (JDBC: naming the table and row ID) and exit 1. Reads "
      "only; takes no lock.");
  AddStoreArgs(*cmd, &args->store);
  cmd->add_flag("--json", args->json, "One JSON object: the whole inspection, plus \"clean\": true|false");
  return {cmd, [args] { return RunVerify(*args); }};
}

}  // namespace hastore::tools
