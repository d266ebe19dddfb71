// `hastore`: registers the verbs and runs the one the command line chose.
#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "hastore/storage/log.h"
#include "verb.h"

int main(int argc, char** argv) {
  using namespace hastore::tools;
  CLI::App app{"Inspect, check, repair and measure hastore stores.", "hastore"};
  app.require_subcommand(1, 1);
  std::string log_level;
  app.add_option("--log-level", log_level,
                 "How much the library and the agent/rsd verbs log (dated, leveled lines on stderr): trace, debug, "
                 "info, warning, error, critical or off. Default: $HASTORE_LOG_LEVEL, else info");
  app.fallthrough();  // --log-level may also follow the verb
  app.set_version_flag("--version", "hastore " HASTORE_VERSION, "Print the version of hastore and exit");
  app.footer(kExitStatusHelp);
  const std::vector<Verb> verbs = {AddNamesVerb(app),  AddListVerb(app),    AddDumpVerb(app), AddVerifyVerb(app),
                                   AddRepairVerb(app), AddCompactVerb(app), AddCopyVerb(app), AddBenchVerb(app),
                                   AddConfigVerb(app), AddAgentVerb(app),    AddDemoVerb(app), AddStatusVerb(app),
                                   AddMigrateVerb(app), AddRsdVerb(app), AddRsdAdminVerb(app)};
  if (argc == 1) {  // no verb: the usage and the verbs, as for a bad command line
    std::cerr << app.help();
    return kExitUsage;
  }
  if (argv[1][0] != '-') {
    std::string known;
    bool found = false;
    for (const Verb& v : verbs) {
      known += (known.empty() ? "" : ", ") + v.command->get_name();
      found = found || v.command->get_name() == argv[1];
    }
    if (!found) return Fail("", std::string("unknown verb '") + argv[1] + "' (verbs: " + known + ")", kExitUsage);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {  // --help, --version
    return CheckStdout("", app.exit(e));
  } catch (const CLI::ParseError& e) {
    const auto chosen = app.get_subcommands();
    return Fail(chosen.empty() ? "" : chosen.front()->get_name(), e.what(), kExitUsage);
  }
  if (!log_level.empty()) {
    hastore::Status level = hastore::SetLogLevel(log_level);
    if (!level.ok()) return Fail("", "--log-level: " + level.message(), kExitUsage);
  }
  for (const Verb& v : verbs) {
    if (!v.command->parsed()) continue;
    try {
      return CheckStdout(v.command->get_name(), v.run());
    } catch (const std::exception& e) {  // a bug or out of memory: still one line and a status
      return Fail(v.command->get_name(), e.what(), kExitFailed);
    }
  }
  return Fail("", "no verb given; see hastore --help", kExitUsage);
}
