#include "verb.h"

#include <CLI/CLI.hpp>
#include <iostream>
#include <string>

namespace hastore::tools {

CLI::App* AddVerbCommand(CLI::App& app, const char* name, const char* summary, const char* details) {
  CLI::App* command = app.add_subcommand(name, summary);
  command->footer(std::string(details) +
                  "\n\nExit status: 0 done, 1 damage found or the operation failed, 2 bad command line or input.");
  return command;
}

int Fail(std::string_view verb, std::string_view message, int exit_status) {
  std::cerr << "hastore";
  if (!verb.empty()) std::cerr << ' ' << verb;
  std::cerr << ": " << message << '\n';
  return exit_status;
}

int Fail(std::string_view verb, const Status& status) {
  return Fail(verb, status.message(), status.code() == StatusCode::kInvalidArgument ? kExitUsage : kExitFailed);
}

}  // namespace hastore::tools
