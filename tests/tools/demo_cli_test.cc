// `hastore demo`, the main job of tools/run.sh: three agent processes, one killed with SIGKILL,
// nothing acknowledged lost.
#include <gtest/gtest.h>

#include <cstdint>
#include <sstream>
#include <string>

#include "tools/cli_harness.h"

namespace hastore::testing {
namespace {

// The figure after `label` on its line of the demo's summary ("  recovered     123  (...)");
// -1 if the summary has no such line.
int64_t SummaryFigure(const std::string& out, const std::string& label) {
  const size_t summary = out.find("\nsummary\n");
  if (summary == std::string::npos) return -1;
  const size_t at = out.find("\n  " + label + " ", summary);
  if (at == std::string::npos) return -1;
  std::istringstream line(out.substr(at + 3 + label.size()));
  int64_t figure = -1;
  return line >> figure ? figure : -1;
}

TEST(DemoCli, AKilledServersInstancesMoveAndNothingAcknowledgedIsLost) {
  TempDir dir;
  const CliResult r = RunCli({"demo", "--dir", dir.path(), "--seconds", "1", "--rate", "100"});
  ASSERT_EQ(r.exit_status, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("kill -9 ms1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("lost          0\n"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("acknowledged  0\n"), std::string::npos) << r.out;

  const int64_t acknowledged = SummaryFigure(r.out, "acknowledged");
  const int64_t recovered = SummaryFigure(r.out, "recovered");
  const int64_t failover_ms = SummaryFigure(r.out, "failover");
  EXPECT_GT(acknowledged, 0) << r.out;
  EXPECT_EQ(recovered, acknowledged) << r.out;
  // The demo's leases: 250 ms x 4, no fencing grace. Its instances must take commits elsewhere
  // within a lease and the grace, plus 2 s for the new master to plan and the store to open.
  constexpr int64_t kLeaseMs = 1000, kGraceMs = 0, kSlackMs = 2000;
  EXPECT_GT(failover_ms, 0) << "no moved instance took a commit elsewhere\n" << r.out;
  EXPECT_LT(failover_ms, kLeaseMs + kGraceMs + kSlackMs) << r.out;
}

}  // namespace
}  // namespace hastore::testing
