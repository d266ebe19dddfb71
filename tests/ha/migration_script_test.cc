// The migration script runner (ha/src/migration_script.h): exit statuses and signals named in
// errors, the environment a script is given, the timeout, and a script abandoned mid-run.
#include "migration_script.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "common/temp_dir.h"
#include "common/whole_file.h"

namespace hastore::ha {
namespace {

using namespace std::chrono_literals;

const MigrationScriptEnv kEnv{"jms", "mt1", "ms1", "ms2", "ms3"};

// Polls with a clock that stands still at `now_ms` until the script is over.
Status Finish(MigrationScript& script, uint64_t now_ms = 0) {
  for (;;) {
    if (std::optional<Status> done = script.Poll(now_ms)) return *done;
    std::this_thread::sleep_for(5ms);
  }
}

Status RunScript(const std::string& command) {
  Result<std::unique_ptr<MigrationScript>> script = MigrationScript::Start("pre script of mt1", command, kEnv, 0);
  if (!script.ok()) return script.status();
  return Finish(**script);
}

TEST(MigrationScript, ExitStatusesAndSignalsAreNamed) {
  EXPECT_TRUE(RunScript("true").ok());
  Status failed = RunScript("exit 4");
  EXPECT_EQ(failed.code(), StatusCode::kIOError);
  EXPECT_EQ(failed.message(), "pre script of mt1 failed with exit status 4");
  EXPECT_EQ(RunScript("kill -TERM $$").message(), "pre script of mt1 was killed by signal 15");
}

TEST(MigrationScript, TheScriptSeesWhatMovesWhere) {
  testing::TempDir dir;
  const std::string out = dir.path() + "/env";
  ASSERT_TRUE(RunScript("echo $HASTORE_INSTANCE $HASTORE_TARGET $HASTORE_FROM $HASTORE_TO $HASTORE_SERVER > " + out).ok());
  EXPECT_EQ(testing::ReadWholeFile(out), "jms mt1 ms1 ms2 ms3\n");
}

TEST(MigrationScript, AScriptPastItsTimeoutIsKilledAndHasFailed) {
  Result<std::unique_ptr<MigrationScript>> script = MigrationScript::Start("post script", "sleep 30", kEnv, 1000, 100);
  ASSERT_TRUE(script.ok());
  EXPECT_FALSE((*script)->Poll(1099).has_value());
  const auto start = std::chrono::steady_clock::now();
  std::optional<Status> done = (*script)->Poll(1100);
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(done->message(), "post script did not finish within 100 ms and was killed");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST(MigrationScript, AnAbandonedScriptIsKilledWithWhatItStarted) {
  testing::TempDir dir;
  const std::string late = dir.path() + "/late";
  {
    // The shell forks a child that would write after a second; both go with the process group.
    Result<std::unique_ptr<MigrationScript>> script =
        MigrationScript::Start("post script", "(sleep 1; touch " + late + ") & wait", kEnv, 0);
    ASSERT_TRUE(script.ok());
    std::this_thread::sleep_for(100ms);
  }
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(testing::ReadWholeFile(late), "");
  EXPECT_FALSE(std::filesystem::exists(late));
}

}  // namespace
}  // namespace hastore::ha
