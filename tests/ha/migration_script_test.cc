// The migration script runner (ha/src/migration_script.h): exit statuses and signals named in
// errors, the environment a script is given, the timeout, and a script abandoned mid-run.
#include "migration_script.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

#include "common/eventually.h"
#include "common/temp_dir.h"
#include "common/whole_file.h"
#include "ha/run_script.h"

namespace hastore::ha {
namespace {

using namespace std::chrono_literals;

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
  Result<std::unique_ptr<MigrationScript>> script =
      MigrationScript::Start("post script", "sleep 30", kScriptEnv, 1000, 100);
  ASSERT_TRUE(script.ok());
  EXPECT_FALSE((*script)->Poll(1099).has_value());
  const auto start = std::chrono::steady_clock::now();
  std::optional<Status> done = (*script)->Poll(1100);
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(done->message(), "post script did not finish within 100 ms and was killed");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

// Gone, or a zombie nobody has reaped yet: either way it can write nothing any more.
bool Dead(pid_t pid) {
  if (::kill(pid, 0) != 0 && errno == ESRCH) return true;
  const std::string stat = testing::ReadWholeFile("/proc/" + std::to_string(pid) + "/stat");
  const size_t name_end = stat.rfind(')');  // "pid (comm) state ...": comm may hold spaces
  return name_end != std::string::npos && stat.compare(name_end, 3, ") Z") == 0;
}

TEST(MigrationScript, AnAbandonedScriptIsKilledWithWhatItStarted) {
  testing::TempDir dir;
  const std::string late = dir.path() + "/late", pid_file = dir.path() + "/child.pid";
  pid_t child = 0;
  {
    // The shell starts a child that says who it is, then would create `late` a few seconds on;
    // both go with the script's process group when the script is abandoned.
    Result<std::unique_ptr<MigrationScript>> script = MigrationScript::Start(
        "post script",
        "sh -c 'echo $$ > " + pid_file + ".tmp && mv " + pid_file + ".tmp " + pid_file + " && sleep 3 && touch " + late +
            "' & wait",
        kScriptEnv, 0);
    ASSERT_TRUE(script.ok());
    ASSERT_TRUE(testing::Eventually([&] {
      child = static_cast<pid_t>(std::atol(testing::ReadWholeFile(pid_file).c_str()));
      return child > 0;
    })) << "the script's child never started";
  }
  EXPECT_TRUE(testing::Eventually([&] { return Dead(child); })) << "pid " << child << " outlived its abandoned script";
  EXPECT_EQ(testing::ReadWholeFile(late), "");
  EXPECT_FALSE(std::filesystem::exists(late));
}

}  // namespace
}  // namespace hastore::ha
