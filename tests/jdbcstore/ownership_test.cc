// Ownership of a WLStore table (jdbcstore/FORMAT.md, "Ownership"), on SQLite and PostgreSQL,
// with real stores, real session locks and a real killed process: a live owner locks out
// epoch-0 openers and is named to them; a newer lease epoch takes the table over and the old
// owner's every commit is refused by the database's fence; an older epoch is fenced; a
// SIGKILLed owner's session lock dies with it; a closed owner's is let go before Close returns.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "common/eventually.h"
#include "hastore/storage/checksum.h"
#include "jdbcstore/test_table.h"

namespace hastore::testing {
namespace {

class OwnershipTest : public ::testing::TestWithParam<TestDatabase> {};

// One create of `data` in `connection`; its handle goes to *handle whatever the outcome.
Status CommitOne(Store& store, const Connection& connection, const std::string& data, Handle* handle) {
  std::vector<Handle> handles;
  Status s = CommitCreates(store, connection, {data}, &handles);
  if (!handles.empty()) *handle = handles.front();
  return s;
}

TEST_P(OwnershipTest, ALiveOwnerLocksOutEpochZeroAndIsNamed) {
  TestTable table(GetParam(), "own");
  auto first = table.Open(Ownership{0, "first-holder-q7"});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  const uint64_t epoch = (*first)->Stats().epoch;
  EXPECT_EQ(epoch, 1u) << "a new table's first owner in single-server mode has epoch 1";

  auto second = table.Open(Ownership{0, "second-holder"});
  ASSERT_FALSE(second.ok()) << "a second writable open succeeded while the first is open";
  EXPECT_EQ(second.status().code(), StatusCode::kLocked) << second.status().ToString();
  EXPECT_NE(second.status().message().find("first-holder-q7"), std::string::npos)
      << "the refusal names the holder: " << second.status().message();

  // The refused open changed nothing: the first owner still commits.
  auto conn = (*first)->OpenConnection("c");
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  Handle h = 0;
  ASSERT_TRUE(CommitOne(**first, *conn, "first's record", &h).ok());
  EXPECT_TRUE((*first)->Health().ok()) << (*first)->Health().ToString();
  ASSERT_TRUE((*first)->Close().ok());

  second = table.Open(Ownership{0, "second-holder"});
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ((*second)->Stats().epoch, epoch + 1);
  auto read = (*second)->Read(h);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(*read, "first's record");
}

// Close lets the table go before it returns: an owner that closes and opens again at once (a
// restart in place, the tools, the conformance suite's reopen) is never refused by its own
// session lock. PostgreSQL drops a session's advisory locks only once the closed session's
// backend has exited, which under load can be after the next open asks for the lock.
TEST_P(OwnershipTest, ACloseLetsTheTableGoBeforeItReturns) {
  TestTable table(GetParam(), "reopen");
  const bool postgres = GetParam() == TestDatabase::kPostgresql;
  std::unique_ptr<jdbcstore::OdbcConnection> watcher;  // connected before, so it asks at once
  if (postgres) {
    auto db = table.Connect();
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    watcher = std::move(db).value();
  }
  // Who holds one of the table's advisory locks (session_lock.cc: the session lock's key is the
  // checksum of "hastore:<table>"; wlstore_sql.h: the fence's, of "hastore-fence:<table>").
  auto holders_of = [&](const std::string& name) {
    return "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND "
           "((classid::bigint << 32) | objid::bigint) = " +
           std::to_string(static_cast<int64_t>(Checksum(name + table.table())));
  };
  const std::string holders = holders_of("hastore:"), fence_holders = holders_of("hastore-fence:");
  auto count = [&](const std::string& sql) -> int64_t {
    auto held = watcher->Prepare(sql);
    EXPECT_TRUE(held.ok()) << held.status().ToString();
    if (!held.ok()) return -1;
    auto n = (*held)->ExecuteScalar();
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    (void)watcher->Rollback();
    return n.ok() ? n->value_or(-1) : -1;
  };
  for (int round = 0; round < 20; ++round) {
    auto store = table.Open(Ownership{0, "round-" + std::to_string(round)});
    ASSERT_TRUE(store.ok()) << "round " << round << ": " << store.status().ToString();
    EXPECT_EQ((*store)->Stats().epoch, static_cast<uint64_t>(round + 1));
    ASSERT_TRUE((*store)->OpenConnection("c").ok());  // a commit: a worker connects and takes the fence
    if (postgres) {
      ASSERT_EQ(count(holders), 1) << "the open store holds its advisory lock";
      ASSERT_GE(count(fence_holders), 1) << "the open store's worker holds the fence";
    }
    ASSERT_TRUE((*store)->Close().ok());
    if (postgres) {
      EXPECT_EQ(count(holders), 0) << "round " << round << ": the closed store still holds its lock";
      EXPECT_EQ(count(fence_holders), 0) << "round " << round << ": the closed store's workers still hold its fence";
    }
  }
}

TEST_P(OwnershipTest, ANewerEpochFencesEveryCommitOfTheOldOwner) {
  TestTable table(GetParam(), "fence");
  auto a = table.Open(Ownership{1, "A"});
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ((*a)->Stats().epoch, 1u);
  auto conn_a = (*a)->OpenConnection("shared");
  ASSERT_TRUE(conn_a.ok()) << conn_a.status().ToString();

  std::map<Handle, std::string> expected;  // what the table must hold in the end
  for (int i = 0; i < 5; ++i) {
    std::vector<Handle> handles;
    const std::vector<std::string> data = {"A-pre-" + std::to_string(i) + "-x", "A-pre-" + std::to_string(i) + "-y"};
    ASSERT_TRUE(CommitCreates(**a, *conn_a, data, &handles).ok());
    for (size_t j = 0; j < data.size(); ++j) expected[handles[j]] = data[j];
  }

  // B has the newer lease epoch: it takes the table over although A is still open.
  auto b = table.Open(Ownership{2, "B"});
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ((*b)->Stats().epoch, 2u);
  auto conn_b = (*b)->OpenConnection("shared");
  ASSERT_TRUE(conn_b.ok()) << conn_b.status().ToString();
  EXPECT_EQ(conn_b->id, conn_a->id) << "B loaded A's connection row";

  // A's first commit after the takeover is refused by the database (the fence); A is then
  // fenced and refuses the rest itself. What the table holds at the end is checked below.
  std::vector<Handle> a_post;  // A's creates after the takeover: none may be stored
  for (int i = 0; i < 25; ++i) {
    Handle h = 0;
    Status sa = CommitOne(**a, *conn_a, "A-post-" + std::to_string(i), &h);
    a_post.push_back(h);
    // Nothing of it was committed: refused before its COMMIT (the fence check, the session
    // fence, A's own fenced state), so not applied; only a one-statement INSERT whose answer
    // was lost and whose look-up met the new owner is 'fenced' (unknown). None is stored (below).
    if (i == 0 && sa.code() == StatusCode::kFenced) {
      EXPECT_TRUE(sa.outcome_unknown()) << sa.ToString();
    } else {
      EXPECT_EQ(sa.code(), StatusCode::kNotApplied) << "round " << i << ": " << sa.ToString();
    }
    EXPECT_EQ((*a)->Health().code(), StatusCode::kFenced) << (*a)->Health().ToString();
    EXPECT_EQ((*a)->Stats().state, "fenced");

    Status sb = CommitOne(**b, *conn_b, "B-" + std::to_string(i), &h);
    ASSERT_TRUE(sb.ok()) << "round " << i << ": " << sb.ToString();
    expected[h] = "B-" + std::to_string(i);
  }
  EXPECT_NE((*a)->Health().message().find(table.table()), std::string::npos)
      << "the fence names the table: " << (*a)->Health().message();
  EXPECT_TRUE((*b)->Health().ok()) << (*b)->Health().ToString();
  ASSERT_TRUE((*a)->Close().ok());
  ASSERT_TRUE((*b)->Close().ok());

  auto reader = table.OpenReadOnly();
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  auto conn = (*reader)->OpenConnection("shared");
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  const std::map<Handle, std::string> found = ScanAll(**reader, *conn);
  EXPECT_EQ(found, expected) << "exactly A's records from before the takeover and all of B's";
  for (Handle h : a_post) EXPECT_EQ(found.count(h), 0u) << "A's post-takeover record " << h << " is stored";
}

TEST_P(OwnershipTest, AnOlderEpochIsFencedWhetherTheOwnerIsLiveOrNot) {
  TestTable table(GetParam(), "older");
  auto owner = table.Open(Ownership{5, "holder-of-five"});
  ASSERT_TRUE(owner.ok()) << owner.status().ToString();
  auto conn = (*owner)->OpenConnection("c");
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  Handle h = 0;
  ASSERT_TRUE(CommitOne(**owner, *conn, "five's record", &h).ok());

  auto expect_fenced = [&](const char* when) {
    auto older = table.Open(Ownership{3, "holder-of-three"});
    ASSERT_FALSE(older.ok()) << when << ": an open with an older epoch succeeded";
    EXPECT_EQ(older.status().code(), StatusCode::kFenced) << when << ": " << older.status().ToString();
    EXPECT_NE(older.status().message().find("holder-of-five"), std::string::npos) << older.status().message();
    EXPECT_NE(older.status().message().find("epoch 5"), std::string::npos) << older.status().message();
  };
  expect_fenced("while the owner is open");
  EXPECT_TRUE((*owner)->Health().ok()) << "a refused older opener fenced the owner: " << (*owner)->Health().ToString();
  ASSERT_TRUE((*owner)->Close().ok());
  expect_fenced("after the owner closed");

  // The same epoch again, nobody live: the owner restarting.
  auto again = table.Open(Ownership{5, "holder-of-five"});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ((*again)->Stats().epoch, 5u);
  auto read = (*again)->Read(h);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(*read, "five's record");
}

// The child: opens the table with epoch 0, commits one record, sends its epoch, waits for the
// parent's word and SIGKILLs itself with the store still open. Its messages are shorter than
// PIPE_BUF, so each arrives whole or, if the other side died, as end of file.
[[noreturn]] void OwnThenDie(const TestTable& table, int to_parent, int from_parent) {
  auto store = table.Open(Ownership{0, "doomed-child-k9"});
  uint64_t epoch = 0;
  if (store.ok()) {
    auto conn = (*store)->OpenConnection("c");
    Handle h = 0;
    if (conn.ok() && CommitOne(**store, *conn, "the child's record", &h).ok()) epoch = (*store)->Stats().epoch;
  }
  if (::write(to_parent, &epoch, sizeof epoch) != sizeof epoch || epoch == 0) ::_exit(2);
  char go = 0;
  (void)::read(from_parent, &go, 1);
  ::kill(::getpid(), SIGKILL);
  ::_exit(3);  // not reached
}

TEST_P(OwnershipTest, AKilledOwnerDoesNotBlockTheNextOpen) {
  TestTable table(GetParam(), "killed");
  int to_parent[2], to_child[2];
  ASSERT_EQ(::pipe(to_parent), 0);
  ASSERT_EQ(::pipe(to_child), 0);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(to_parent[0]);
    ::close(to_child[1]);
    OwnThenDie(table, to_parent[1], to_child[0]);
  }
  ::close(to_parent[1]);
  ::close(to_child[0]);
  uint64_t child_epoch = 0;
  const bool told = ::read(to_parent[0], &child_epoch, sizeof child_epoch) == sizeof child_epoch && child_epoch != 0;

  if (told) {
    // While it lives, the child owns the table: its session lock is real across processes.
    auto refused = table.Open(Ownership{0, "parent"});
    EXPECT_FALSE(refused.ok()) << "opened a table a live child owns";
    EXPECT_EQ(refused.status().code(), StatusCode::kLocked) << refused.status().ToString();
    EXPECT_NE(refused.status().message().find("doomed-child-k9"), std::string::npos) << refused.status().message();
  }
  const char go = 'k';
  (void)::write(to_child[1], &go, 1);
  int wstatus = 0;
  ASSERT_EQ(::waitpid(pid, &wstatus, 0), pid);
  ::close(to_parent[0]);
  ::close(to_child[1]);
  ASSERT_TRUE(told) << "the child could not open the table and commit";
  ASSERT_TRUE(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL) << "child status " << wstatus;
  EXPECT_EQ(child_epoch, 1u);

  // The child's session ended with it. A PostgreSQL backend may take a moment to see its
  // client's socket close, so a kLocked is retried for a few seconds; a lock that outlived its
  // session would still fail after that.
  auto next = table.Open(Ownership{0, "after-the-kill"});
  (void)Eventually([&] {
    if (next.ok() || next.status().code() != StatusCode::kLocked) return true;
    next = table.Open(Ownership{0, "after-the-kill"});
    return false;
  }, std::chrono::seconds(5));
  ASSERT_TRUE(next.ok()) << "the killed owner still blocks the table: " << next.status().ToString();
  EXPECT_EQ((*next)->Stats().epoch, child_epoch + 1);
  auto conn = (*next)->OpenConnection("c");
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  const std::map<Handle, std::string> records = ScanAll(**next, *conn);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records.begin()->second, "the child's record") << "what the killed owner acknowledged is kept";
}

// An owner that took over from a live one cannot hold the session lock at first; once the old
// owner is gone it must take it, or a third open with epoch 0 would take the table from a live
// owner.
TEST_P(OwnershipTest, AnOwnerThatTookOverTakesTheSessionLockOnceItIsFree) {
  TestTable table(GetParam(), "retake");
  auto a = table.Open(Ownership{1, "A-holder"});
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(StatsDetail(**a, "session_lock"), "held");
  auto b = table.Open(Ownership{2, "B-holder"});
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(StatsDetail(**b, "session_lock"), "not held") << "A still holds it";
  ASSERT_TRUE((*a)->Close().ok());

  (void)Eventually([&] { return StatsDetail(**b, "session_lock") == "held"; }, std::chrono::seconds(20));
  ASSERT_EQ(StatsDetail(**b, "session_lock"), "held") << "B never took the session lock A left";
  auto c = table.Open(Ownership{0, "C-holder"});
  ASSERT_FALSE(c.ok()) << "an epoch-0 open took the table from its live owner B";
  EXPECT_EQ(c.status().code(), StatusCode::kLocked) << c.status().ToString();
  EXPECT_NE(c.status().message().find("B-holder"), std::string::npos) << c.status().message();
  auto conn = (*b)->OpenConnection("c");
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  Handle h = 0;
  EXPECT_TRUE(CommitOne(**b, *conn, "B still owns it", &h).ok());
}

INSTANTIATE_TEST_SUITE_P(Databases, OwnershipTest, ::testing::ValuesIn(kBothDatabases), DatabaseName);

}  // namespace
}  // namespace hastore::testing
