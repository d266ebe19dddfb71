// Removes in one group take DELETE ... IN lists of jdbc.deletes_per_statement_maximum ids, up to
// jdbc.deletes_per_batch_maximum lists per call by array binding, the last list filled up with
// its last id. Every count around those edges must delete exactly what was removed.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "test_table.h"

namespace hastore::testing {
namespace {

class DeleteBatchTest : public ::testing::TestWithParam<TestDatabase> {};

TEST_P(DeleteBatchTest, EveryRemoveCountDeletesExactlyItsRecords) {
  TestTable table(GetParam(), "delbatch");
  table.config().jdbc.inserts_per_batch_maximum = 5;
  table.config().jdbc.deletes_per_statement_maximum = 7;
  table.config().jdbc.deletes_per_batch_maximum = 3;
  auto store = table.Open();
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto conn = (*store)->OpenConnection("c");
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();

  std::vector<std::string> data;
  for (int i = 0; i < 200; ++i) data.push_back("record-" + std::to_string(i));
  std::vector<Handle> handles;
  ASSERT_TRUE(CommitCreates(**store, *conn, data, &handles).ok());
  std::map<Handle, std::string> expected;
  for (size_t i = 0; i < handles.size(); ++i) expected[handles[i]] = data[i];

  // 1 (a padded list), 7 (one full list), 8 (a full and a padded list, one call), 21 (three
  // full lists, one call), 22 (two calls) and 95 (five calls, the last padded).
  size_t next = 0;
  for (size_t count : {1, 7, 8, 21, 22, 95}) {
    Transaction txn = (*store)->Begin();
    for (size_t i = 0; i < count; ++i, ++next) {
      ASSERT_TRUE(txn.Remove(handles[next]).ok());
      expected.erase(handles[next]);
    }
    Status s = (*store)->Commit(std::move(txn));
    ASSERT_TRUE(s.ok()) << count << " removes: " << s.ToString();
    EXPECT_EQ(ScanAll(**store, *conn), expected) << "after " << count << " removes";
  }
  ASSERT_TRUE((*store)->Close().ok());

  auto reader = table.OpenReadOnly();
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  auto again = (*reader)->OpenConnection("c");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(ScanAll(**reader, *again), expected) << "the table itself, read again";
}

INSTANTIATE_TEST_SUITE_P(Databases, DeleteBatchTest, ::testing::ValuesIn(kBothDatabases), DatabaseName);

}  // namespace
}  // namespace hastore::testing
