// What `hastore` says about itself: `--version`, and the usage a bare `hastore` prints.
#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "cli_harness.h"

namespace hastore::testing {
namespace {

TEST(CliUsage, VersionIsTheProjectVersion) {
  const CliResult r = RunCli({"--version"});
  EXPECT_EQ(r.exit_status, 0) << r.err;
  EXPECT_EQ(r.out, "hastore " HASTORE_VERSION "\n");
  EXPECT_EQ(r.err, "");
}

// No verb is a bad command line (exit 2, like an unknown verb): the usage goes to stderr, the same
// text as `hastore --help`, with every verb on a line of its own and what it does.
TEST(CliUsage, BareCommandPrintsTheVerbs) {
  const CliResult bare = RunCli({});
  EXPECT_EQ(bare.exit_status, 2);
  EXPECT_EQ(bare.out, "");
  const CliResult help = RunCli({"--help"});
  ASSERT_EQ(help.exit_status, 0) << help.err;
  EXPECT_EQ(bare.err, help.out);

  std::istringstream in(bare.err);
  std::string line;
  while (std::getline(in, line) && line != "Subcommands:") {
  }
  ASSERT_EQ(line, "Subcommands:") << bare.err;
  int verbs = 0;
  for (; std::getline(in, line) && !line.empty(); ++verbs) {
    std::istringstream words(line);
    std::string verb, first_word_of_description;
    words >> verb >> first_word_of_description;
    EXPECT_FALSE(first_word_of_description.empty()) << "no description: " << line;
  }
  for (const char* verb : {"verify", "repair", "copy", "demo", "agent", "rsd-admin"}) {
    EXPECT_NE(bare.err.find(std::string("\n  ") + verb + " "), std::string::npos) << verb << " missing:\n" << bare.err;
  }
  EXPECT_GE(verbs, 15);
}

}  // namespace
}  // namespace hastore::testing
