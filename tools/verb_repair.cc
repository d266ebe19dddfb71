// `hastore repair`: makes a damaged store openable again (RepairFileStore); with --dry-run,
// says what it would cut and move and changes nothing.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "hastore/filestore/inspect.h"
#include "hastore/jdbcstore/jdbc_store.h"
#include "log_progress.h"
#include "store_locator.h"
#include "store_opener.h"
#include "verb.h"

namespace hastore::tools {
namespace {

constexpr std::string_view kVerb = "repair";

struct RepairArgs {
  StoreArgs store;
  bool dry_run = false;
};

// A dry run on a JDBC store: a read-only open checks every row and names the first that
// breaks FORMAT.md; those are the rows a repair deletes.
int DryRunJdbc(const StoreLocation& location) {
  auto store = OpenReadOnly(location);
  if (store.ok()) {
    std::cout << location.instance << ": nothing to repair\n";
    return kExitOk;
  }
  if (store.status().code() != StatusCode::kCorruption) return Fail(kVerb, store.status());
  std::cout << "would delete the rows of table " << location.config.table()
            << " that break its format (see jdbcstore/FORMAT.md), the first: " << store.status().message() << '\n';
  return kExitOk;
}

int RepairJdbc(const StoreLocation& location) {
  auto deleted = RepairJdbcStore(location.config);
  if (!deleted.ok()) return Fail(kVerb, deleted.status());
  if (*deleted == 0) {
    std::cout << location.instance << ": nothing to repair\n";
  } else {
    std::cout << "deleted " << *deleted << " rows of table " << location.config.table()
              << " that are no record, connection or owner row (see jdbcstore/FORMAT.md)\n";
  }
  return kExitOk;
}

void PrintReport(const std::string& instance, const RepairReport& report, bool dry_run) {
  const char* truncate = dry_run ? "would truncate " : "truncated ";
  const char* move = dry_run ? "would move " : "moved ";
  if (!report.truncated_segment.empty()) {
    std::cout << truncate << report.truncated_bytes << " bytes of torn tail from " << report.truncated_segment
              << " at offset " << report.truncated_at << '\n';
  }
  for (const std::string& path : report.quarantined) std::cout << move << "damaged segment to " << path << '\n';
  for (const std::string& path : report.orphans) std::cout << move << "orphan segment to " << path << '\n';
  if (report.truncated_segment.empty() && report.quarantined.empty() && report.orphans.empty()) {
    std::cout << instance << ": nothing to repair\n";
  }
}

int RunRepair(const RepairArgs& args) {
  auto location = LocateStore(args.store);
  if (!location.ok()) return Fail(kVerb, location.status());
  if (location->config.kind == StoreKind::kJdbc) return args.dry_run ? DryRunJdbc(*location) : RepairJdbc(*location);
  auto log = OpenExistingLog(*location);
  if (!log.ok()) return Fail(kVerb, log.status());
  if (!args.dry_run) {
    if (Status s = CheckNotHeld(*location); !s.ok()) return Fail(kVerb, s);
  }
  LogProgress progress(kVerb, *log, location->instance);
  RepairOptions options{.dry_run = args.dry_run,
                        .on_progress = [&](const std::string& segment, uint64_t offset) { progress.At(segment, offset); }};
  auto report = RepairFileStore(log->directory, location->instance, log->fs.get(), options);
  if (!report.ok()) return Fail(kVerb, report.status());
  progress.Done();
  PrintReport(location->instance, *report, args.dry_run);
  return kExitOk;
}

}  // namespace

Verb AddRepairVerb(CLI::App& app) {
  auto args = std::make_shared<RepairArgs>();
  CLI::App* cmd = AddVerbCommand(app, "repair", "Make a damaged store openable again",
      "Cuts a torn tail, moves damaged segments to DIR/quarantine/ (never deleted; their records are lost to the "
      "store but kept there) and moves orphan segments (outside the log) there too, one line for each. Refused, "
      "naming the holder, while another process holds the store. A JDBC store: deletes the rows of its table that "
      "break its format (an unknown TYPE, a record whose connection has no row), which the database's transactions "
      "never leave but other writers might. Shows its progress on stderr when that is a terminal.");
  AddStoreArgs(*cmd, &args->store);
  cmd->add_flag("--dry-run", args->dry_run,
                "Change nothing and take no lock: print what it would truncate and move ('would truncate ...', "
                "'would move ...'); a JDBC store: the first row it would delete");
  return {cmd, [args] { return RunRepair(*args); }};
}

}  // namespace hastore::tools
