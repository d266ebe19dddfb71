// `hastore compact`: one round of compaction on a store this process opens writable.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "hastore/filestore/file_store.h"
#include "store_locator.h"
#include "store_opener.h"
#include "verb.h"

namespace hastore::tools {
namespace {

constexpr std::string_view kVerb = "compact";

struct CompactArgs {
  StoreArgs store;
  bool force = false;
};

void PrintStats(std::string_view when, const StoreStats& st) {
  std::cout << when << ": records " << st.records << ", record bytes " << st.record_bytes;
  for (const auto& [key, value] : st.details) {
    if (key == "segments" || key == "file_bytes") std::cout << ", " << key << ' ' << value;
  }
  std::cout << '\n';
}

int RunCompact(const CompactArgs& args) {
  auto location = LocateStore(args.store);
  if (!location.ok()) return Fail(kVerb, location.status());
  if (location->config.kind == StoreKind::kJdbc) {
    std::cout << location->instance << ": nothing to compact: a JDBC store's rows are its live records, and its "
              << "database reclaims the space of deleted ones (VACUUM, OPTIMIZE TABLE)\n";
    return kExitOk;
  }
  if (Status s = OpenExistingLog(*location).status(); !s.ok()) return Fail(kVerb, s);
  // A writable open takes the instance's lock (a replicated store: an exclusive claim on the
  // daemons), refused, naming the holder, while another owner has the store open.
  auto store = OpenWritable(*location, "hastore compact pid " + std::to_string(::getpid()), false);
  if (!store.ok()) return Fail(kVerb, store.status());
  PrintStats("before", (*store)->Stats());
  auto removed = CompactFileStore(**store, args.force);
  if (!removed.ok()) {
    (void)(*store)->Close();
    return Fail(kVerb, removed.status());
  }
  std::cout << "segments removed: " << *removed << '\n';
  PrintStats("after", (*store)->Stats());
  if (Status s = (*store)->Close(); !s.ok()) return Fail(kVerb, s);
  return kExitOk;
}

}  // namespace

Verb AddCompactVerb(CLI::App& app) {
  auto args = std::make_shared<CompactArgs>();
  CLI::App* cmd = AddVerbCommand(app, "compact", "Compact a store: copy live records forward, remove old segments",
      "Opens the store writable (taking its lock), runs one round of compaction and closes it. Refused, naming the "
      "holder, while another process holds the store. Without --config the segments it writes use default "
      "settings (Direct-Write, max file size 1342177280); give --config for the store's own.");
  AddStoreArgs(*cmd, &args->store);
  cmd->add_flag("--force", args->force, "Compact even when the store is under its space threshold");
  return {cmd, [args] { return RunCompact(*args); }};
}

}  // namespace hastore::tools
