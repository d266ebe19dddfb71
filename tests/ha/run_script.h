// Migration scripts (ha/src/migration_script.h) run to their end, for the tests of the runner
// (migration_script_test.cc, migration_script_signals_test.cc).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "migration_script.h"

namespace hastore::ha {

// Instance jms of target mt1 moves from ms1 to ms2; ms3 runs the script.
inline const MigrationScriptEnv kScriptEnv{"jms", "mt1", "ms1", "ms2", "ms3"};

// Polls with a clock that stands still at `now_ms` until the script is over.
inline Status Finish(MigrationScript& script, uint64_t now_ms = 0) {
  for (;;) {
    if (std::optional<Status> done = script.Poll(now_ms)) return *done;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

// Runs `command` as the pre script of mt1, to its end.
inline Status RunScript(const std::string& command) {
  Result<std::unique_ptr<MigrationScript>> script = MigrationScript::Start("pre script of mt1", command, kScriptEnv, 0);
  if (!script.ok()) return script.status();
  return Finish(**script);
}

}  // namespace hastore::ha
