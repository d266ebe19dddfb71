// `hastore list`: the instances in a directory, or one instance in detail. Reads only.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "connection_tally.h"
#include "inspection_report.h"
#include "store_locator.h"
#include "store_opener.h"
#include "text_output.h"
#include "verb.h"

namespace hastore::tools {
namespace {

constexpr std::string_view kVerb = "list";

struct ListArgs {
  StoreArgs store;
  bool json = false;
};

int ListDirectory(const std::string& directory, bool json) {
  auto instances = FindFileStoreInstances(directory);
  if (!instances.ok()) return Fail(kVerb, instances.status());
  Json all = Json::array();
  bool damaged = false;
  for (const std::string& instance : *instances) {
    auto in = InspectFileStore(directory, instance);
    if (!in.ok()) return Fail(kVerb, in.status());
    damaged = damaged || !in->damage.ok();
    if (json) {
      all.push_back(InspectionJson(directory, *in));
      continue;
    }
    std::cout << instance << ": records " << in->records << ", record bytes " << in->record_bytes << ", segments "
              << in->segments.size() << (in->damage.ok() ? "" : ", DAMAGED (see hastore verify)") << '\n';
  }
  if (json) PrintJson(all);
  if (!json && instances->empty()) std::cout << "no file store instances in " << directory << '\n';
  return damaged ? kExitFailed : kExitOk;
}

// A JDBC store: its figures and its connections with their record counts.
int ListJdbc(const StoreLocation& location, bool json) {
  auto store = OpenReadOnly(location);
  if (!store.ok()) return Fail(kVerb, store.status());
  const StoreStats st = (*store)->Stats();
  auto tallies = TallyConnections(**store);
  if (!tallies.ok()) return Fail(kVerb, tallies.status());
  if (json) {
    Json connections = Json::array();
    for (const ConnectionTally& c : *tallies) connections.push_back({{"name", c.name}, {"records", c.records}});
    Json out{{"instance", location.instance}, {"kind", "jdbc"}, {"records", st.records},
             {"record_bytes", st.record_bytes}, {"connections", connections}};
    for (const auto& [key, value] : st.details) out[key] = value;
    PrintJson(out);
    return kExitOk;
  }
  std::cout << location.instance << " (jdbc)\n";
  for (const auto& [key, value] : st.details) std::cout << "  " << key << ": " << value << '\n';
  std::cout << "  records: " << st.records << ", record bytes: " << st.record_bytes << '\n';
  for (const ConnectionTally& c : *tallies) {
    std::cout << "  connection " << EscapeBytes(c.name) << ": " << c.records << " records\n";
  }
  return kExitOk;
}

int ListStore(const StoreArgs& args, bool json) {
  auto location = LocateStore(args);
  if (!location.ok()) return Fail(kVerb, location.status());
  if (location->config.kind == StoreKind::kJdbc) return ListJdbc(*location, json);
  auto in = InspectLog(*location);
  if (!in.ok()) return Fail(kVerb, in.status());
  if (json) {
    PrintJson(InspectionJson(location->directory, *in));
  } else {
    PrintInspection(location->directory, *in, std::cout);
  }
  return in->damage.ok() ? kExitOk : kExitFailed;
}

}  // namespace

Verb AddListVerb(CLI::App& app) {
  auto args = std::make_shared<ListArgs>();
  CLI::App* cmd = AddVerbCommand(app, "list", "List the store instances in a directory, or show one store in detail",
      "DIR: every file store instance in it with its records, bytes and segments. STORE: connections with their "
      "record counts, records, record bytes, segments (name, epoch, log bytes, file bytes), orphans, torn tail, "
      "fence epoch and holder. Reads only; takes no lock. Exits 1 when an instance is damaged.");
  const std::string help = std::string("A directory of .DAT files, or one store. ") + kStoreHelp;
  AddStoreArgs(*cmd, &args->store, help.c_str());
  cmd->add_flag("--json", args->json, "JSON output: an array of instances for DIR, one object for STORE");
  return {cmd, [args] {
            if (auto dir = LocateDirectory(args->store)) return ListDirectory(*dir, args->json);
            return ListStore(args->store, args->json);
          }};
}

}  // namespace hastore::tools
