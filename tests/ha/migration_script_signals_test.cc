// A migration script (ha/src/migration_script.h) can be stopped by a signal even when the agent
// blocks or ignores it: `hastore agent` blocks SIGTERM and SIGINT for sigwait, and a host may
// ignore SIGPIPE; a child would inherit both.
#include <gtest/gtest.h>
#include <signal.h>

#include "ha/run_script.h"
#include "migration_script.h"

namespace hastore::ha {
namespace {

TEST(MigrationScriptSignals, AScriptIsStoppedBySignalsTheAgentBlocksOrIgnores) {
  sigset_t blocked, was;
  sigemptyset(&blocked);
  sigaddset(&blocked, SIGTERM);
  sigaddset(&blocked, SIGINT);
  ASSERT_EQ(pthread_sigmask(SIG_BLOCK, &blocked, &was), 0);
  struct sigaction ignore{}, old_pipe{};
  ignore.sa_handler = SIG_IGN;
  ASSERT_EQ(sigaction(SIGPIPE, &ignore, &old_pipe), 0);

  const Status term = RunScript("kill -TERM $$; sleep 5");
  const Status interrupt = RunScript("kill -INT $$; sleep 5");
  const Status pipe = RunScript("kill -PIPE $$; sleep 5");

  sigaction(SIGPIPE, &old_pipe, nullptr);
  pthread_sigmask(SIG_SETMASK, &was, nullptr);
  EXPECT_EQ(term.message(), "pre script of mt1 was killed by signal 15");
  EXPECT_EQ(interrupt.message(), "pre script of mt1 was killed by signal 2");
  EXPECT_EQ(pipe.message(), "pre script of mt1 was killed by signal 13");
}

}  // namespace
}  // namespace hastore::ha
