#include "verb.h"

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>

namespace hastore::tools {

const char* const kExitStatusHelp =
    "Exit status: 0 done, 1 damage found or the operation failed, 2 bad command line or input (nothing was done).";

CLI::App* AddVerbCommand(CLI::App& app, const char* name, const char* summary, const char* details,
                         const char* more_statuses) {
  CLI::App* command = app.add_subcommand(name, summary);
  std::string footer = std::string(details) + "\n\n" + kExitStatusHelp;
  if (*more_statuses != '\0') footer += std::string("\n") + more_statuses;
  command->footer(footer);
  return command;
}

int Fail(std::string_view verb, std::string_view message, int exit_status) {
  std::string line = "hastore";
  if (!verb.empty()) line += " " + std::string(verb);
  line += ": ";
  // One line whatever the message holds: a database's diagnostics come with line breaks.
  for (size_t i = 0; i < message.size(); ++i) {
    if (message[i] != '\n' && message[i] != '\r') {
      line += message[i];
      continue;
    }
    while (i + 1 < message.size() && (message[i + 1] == '\n' || message[i + 1] == '\r' || message[i + 1] == '\t')) ++i;
    if (i + 1 < message.size()) line += ' ';
  }
  std::cerr << line << '\n';
  return exit_status;
}

int Fail(std::string_view verb, const Status& status) {
  return Fail(verb, status.message(), status.code() == StatusCode::kInvalidArgument ? kExitUsage : kExitFailed);
}

int CheckStdout(std::string_view verb, int exit_status) {
  errno = 0;
  std::cout.flush();
  const bool lost = std::fflush(stdout) != 0 || std::ferror(stdout) != 0 || !std::cout;
  if (!lost || exit_status != kExitOk) return exit_status;  // a failed verb has said why already
  const int error = errno;
  return Fail(verb, std::string("cannot write its output to stdout: ") + (error != 0 ? std::strerror(error) : "write error"),
              kExitFailed);
}

}  // namespace hastore::tools
