// The verbs of the `hastore` command, one file each (verb_<name>.cc).
//
// Every verb writes its results to stdout and its errors to stderr as `hastore <verb>: <message>`,
// and ends with one of the exit statuses below.
#pragma once

#include <functional>
#include <string_view>

#include "hastore/storage/status.h"

namespace CLI {
class App;
}

namespace hastore::tools {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;  // damage found, or the operation failed
inline constexpr int kExitUsage = 2;   // bad command line or bad input; nothing was done

// The 0/1/2 convention above, for the end of `hastore --help` and of every verb's --help.
extern const char* const kExitStatusHelp;

// A verb registered on the command: its subcommand, and what main runs when it was chosen.
struct Verb {
  CLI::App* command = nullptr;
  std::function<int()> run;
};

// Adds the subcommand `name`: `summary` in the verb list of `hastore --help`, `details` and the
// exit statuses at the end of `hastore <name> --help` (kExitStatusHelp, then `more_statuses`,
// the verb's own, e.g. "Exit status 3: ...").
CLI::App* AddVerbCommand(CLI::App& app, const char* name, const char* summary, const char* details,
                         const char* more_statuses = "");

Verb AddNamesVerb(CLI::App& app);
Verb AddListVerb(CLI::App& app);
Verb AddDumpVerb(CLI::App& app);
Verb AddVerifyVerb(CLI::App& app);
Verb AddRepairVerb(CLI::App& app);
Verb AddCompactVerb(CLI::App& app);
Verb AddCopyVerb(CLI::App& app);
Verb AddBenchVerb(CLI::App& app);
Verb AddConfigVerb(CLI::App& app);
Verb AddAgentVerb(CLI::App& app);
Verb AddDemoVerb(CLI::App& app);
Verb AddStatusVerb(CLI::App& app);
Verb AddMigrateVerb(CLI::App& app);
Verb AddRsdVerb(CLI::App& app);
Verb AddRsdAdminVerb(CLI::App& app);

// Writes `hastore <verb>: <message>` to stderr, on one line (line breaks in the message become
// spaces), and returns `exit_status`.
int Fail(std::string_view verb, std::string_view message, int exit_status);
// The same for a status: bad input (kInvalidArgument) is a usage error, anything else a failure.
int Fail(std::string_view verb, const Status& status);

// What main returns once a verb ran: `exit_status`, unless the verb succeeded but its output
// did not all reach stdout (a full disk, a closed pipe, /dev/full): then one line on stderr
// and kExitFailed. Flushes stdout.
int CheckStdout(std::string_view verb, int exit_status);

}  // namespace hastore::tools
