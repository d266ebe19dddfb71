// `hastore repair`: makes a damaged store openable again (RepairFileStore).
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "hastore/filestore/inspect.h"
#include "hastore/jdbcstore/jdbc_store.h"
#include "store_locator.h"
#include "store_opener.h"
#include "verb.h"

namespace hastore::tools {
namespace {

constexpr std::string_view kVerb = "repair";

int RunRepair(const StoreArgs& args) {
  auto location = LocateStore(args);
  if (!location.ok()) return Fail(kVerb, location.status());
  if (location->config.kind == StoreKind::kJdbc) {
    auto deleted = RepairJdbcStore(location->config);
    if (!deleted.ok()) return Fail(kVerb, deleted.status());
    if (*deleted == 0) {
      std::cout << location->instance << ": nothing to repair\n";
    } else {
      std::cout << "deleted " << *deleted << " rows of table " << location->config.table()
                << " that are no record, connection or owner row (see jdbcstore/FORMAT.md)\n";
    }
    return kExitOk;
  }
  auto log = OpenExistingLog(*location);
  if (!log.ok()) return Fail(kVerb, log.status());
  auto report = RepairFileStore(log->directory, location->instance, log->fs.get());
  if (!report.ok()) return Fail(kVerb, report.status());
  bool acted = false;
  if (!report->truncated_segment.empty()) {
    std::cout << "truncated " << report->truncated_bytes << " bytes of torn tail from " << report->truncated_segment
              << '\n';
    acted = true;
  }
  for (const std::string& path : report->quarantined) std::cout << "quarantined damaged segment to " << path << '\n';
  for (const std::string& name : report->removed_orphans) std::cout << "moved orphan segment " << name << " to quarantine/\n";
  acted = acted || !report->quarantined.empty() || !report->removed_orphans.empty();
  if (!acted) std::cout << location->instance << ": nothing to repair\n";
  return kExitOk;
}

}  // namespace

Verb AddRepairVerb(CLI::App& app) {
  auto args = std::make_shared<StoreArgs>();
  CLI::App* cmd = AddVerbCommand(app, "repair", "Make a damaged store openable again",
      "Cuts a torn tail, moves damaged segments to DIR/quarantine/ (never deleted; their records are lost to the "
      "store but kept there) and moves orphan segments (outside the log) there too. Refused, naming the holder, while another process holds "
      "the store. A JDBC store: deletes the rows of its table that break its format (an unknown TYPE, a record "
      "whose connection has no row), which the database's transactions never leave but other writers might.");
  AddStoreArgs(*cmd, args.get());
  return {cmd, [args] { return RunRepair(*args); }};
}

}  // namespace hastore::tools
