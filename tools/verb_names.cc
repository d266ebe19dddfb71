// `hastore names`: the instance, file and table names a store gets (DESIGN §4).
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "hastore/storage/names.h"
#include "text_output.h"
#include "verb.h"

namespace hastore::tools {
namespace {

struct NamesArgs {
  std::string store;
  std::string server;
  std::string distribution = "none";
  std::string prefix;
  bool json = false;
};

int RunNames(const NamesArgs& args) {
  constexpr std::string_view kVerb = "names";
  auto distribution = ParseDistribution(args.distribution);
  if (!distribution.ok()) return Fail(kVerb, distribution.status());
  auto instance = InstanceName(args.store, args.server, *distribution);
  if (!instance.ok()) return Fail(kVerb, instance.status());
  auto dat = DatFileName(*instance, 0);
  if (!dat.ok()) return Fail(kVerb, dat.status());
  auto rgn = RgnFileName(*instance, 0);
  if (!rgn.ok()) return Fail(kVerb, rgn.status());
  auto table = TableName(args.prefix, *distribution, args.store, args.server);
  if (!table.ok()) return Fail(kVerb, table.status());

  const Json names = {{"instance", *instance}, {"dat", *dat}, {"rgn", *rgn}, {"table", *table}};
  if (args.json) {
    PrintJson(names);
  } else {
    for (const auto& [key, value] : names.items()) std::cout << key << ": " << value.get<std::string>() << '\n';
  }
  return kExitOk;
}

}  // namespace

Verb AddNamesVerb(CLI::App& app) {
  auto args = std::make_shared<NamesArgs>();
  CLI::App* cmd = AddVerbCommand(app, "names", "Print the instance, .DAT, .RGN and JDBC table names of a store",
      "Prints four lines, instance, dat, rgn, table (the first .DAT and .RGN files, number 0), following the naming "
      "rules of DESIGN section 4.");
  cmd->add_option("--store", args->store, "Store name (1-128 of letters, digits, _ and -)")->required();
  cmd->add_option("--server", args->server, "Server name; needed for --distribution distributed");
  cmd->add_option("--distribution", args->distribution, "distributed | singleton | none (not cluster-targeted)")
      ->capture_default_str();
  cmd->add_option("--prefix", args->prefix, "JDBC table prefix [[catalog.]schema.]prefix; empty = not set");
  cmd->add_flag("--json", args->json, "One JSON object with the keys instance, dat, rgn, table");
  return {cmd, [args] { return RunNames(*args); }};
}

}  // namespace hastore::tools
