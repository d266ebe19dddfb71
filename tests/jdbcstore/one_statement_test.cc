// PostgreSQL commits a group of creates that fits one INSERT with autocommit on, in one round
// trip (jdbcstore/FORMAT.md, "Commits"). Its INSERT is its COMMIT, so a failure after sending
// it leaves the outcome to be found out: here the server ends the store's idle session, the
// next commit goes out on the dead connection, and the store, finding on a fresh connection
// that its record is absent and that the session which was sent it is gone, commits it again
// rather than answering "outcome unknown".
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hastore/storage/checksum.h"
#include "jdbcstore/test_table.h"

namespace hastore::testing {
namespace {

// Ends every session that holds the table's fence lock (the store's worker connections), as a
// database restart or an operator would; returns how many were ended.
Result<int64_t> EndStoreSessions(const TestTable& table) {
  auto db = table.Connect();
  if (!db.ok()) return db.status();
  const auto key = static_cast<uint64_t>(Checksum("hastore-fence:" + table.table()));
  auto stmt = (*db)->Prepare(
      "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_locks WHERE locktype = 'advisory' AND "
      "database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND "
      "CAST(classid AS BIGINT) = ? AND CAST(objid AS BIGINT) = ? AND objsubid = 1 AND pid <> pg_backend_pid()");
  if (!stmt.ok()) return stmt.status();
  (*stmt)->BindInt64(1, static_cast<int64_t>(key >> 32));
  (*stmt)->BindInt64(2, static_cast<int64_t>(key & 0xffffffffu));
  Result<std::optional<int64_t>> ended = (*stmt)->ExecuteScalar();
  if (!ended.ok()) return ended.status();
  HASTORE_RETURN_IF_ERROR((*db)->Commit());
  return ended->value_or(0);
}

TEST(JdbcOneStatement, ACommitSentOnASessionTheServerEndedIsStoredOnce) {
  TestTable table(TestDatabase::kPostgresql, "onestmt");
  table.config().jdbc.worker_count = 1;
  auto store = table.Open();
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto conn = (*store)->OpenConnection("c");
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  std::vector<Handle> handles;
  Status first = CommitCreates(**store, *conn, {"before"}, &handles);
  ASSERT_TRUE(first.ok()) << first.ToString();

  Result<int64_t> ended = EndStoreSessions(table);
  ASSERT_TRUE(ended.ok()) << ended.status().ToString();
  ASSERT_EQ(*ended, 1) << "the store's one worker session";

  // Its handle is within the block the first commit reserved, so the INSERT is the first thing
  // the dead connection is sent: without the look-up this commit fails "outcome unknown".
  Status second = CommitCreates(**store, *conn, {"after"}, &handles);
  ASSERT_TRUE(second.ok()) << second.ToString();
  // It went as one statement whose answer was lost (a BEGIN on the dead connection would have
  // failed before anything was sent, and been retried without a look-up).
  EXPECT_EQ(StatsDetail(**store, "outcome_lookups"), "1");
  ASSERT_TRUE((*store)->Close().ok());

  auto reopened = table.Open();
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  Result<std::string> got = (*reopened)->Read(handles[0]);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, "before");
  got = (*reopened)->Read(handles[1]);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, "after");
  auto db = table.Connect();
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  auto count = (*db)->Prepare("SELECT COUNT(*) FROM " + table.quoted() + " WHERE TYPE = 1");
  ASSERT_TRUE(count.ok()) << count.status().ToString();
  Result<std::optional<int64_t>> rows = (*count)->ExecuteScalar();
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(rows->value_or(-1), 2) << "both records, and nothing else";
}

}  // namespace
}  // namespace hastore::testing
