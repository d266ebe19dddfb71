// `hastore demo`, the main job of tools/run.sh: three agent processes, one killed with SIGKILL,
// nothing acknowledged lost.
#include <gtest/gtest.h>

#include "tools/cli_harness.h"

namespace hastore::testing {
namespace {

TEST(DemoCli, AKilledServersInstancesMoveAndNothingAcknowledgedIsLost) {
  TempDir dir;
  const CliResult r = RunCli({"demo", "--dir", dir.path(), "--seconds", "1", "--rate", "100"});
  ASSERT_EQ(r.exit_status, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("kill -9 ms1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("lost          0\n"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("acknowledged  0\n"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace hastore::testing
