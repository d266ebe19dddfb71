// ODBC connection strings: one reader for the store, error messages and `jdbc:` store names.
#include <gtest/gtest.h>

#include "hastore/jdbcstore/connection_string.h"

namespace hastore {
namespace {

TEST(ConnectionString, SplitsAtSemicolonsOutsideBraces) {
  auto pairs = SplitConnectionString("Driver=SQLite3;Pwd={a;b=c};;Flag;Database=/d/h.db;");
  ASSERT_EQ(pairs.size(), 4u);
  EXPECT_EQ(pairs[0].key, "Driver");
  EXPECT_EQ(pairs[1].value, "{a;b=c}");
  EXPECT_FALSE(pairs[2].has_value);
  EXPECT_EQ(pairs[2].key, "Flag");
  EXPECT_EQ(pairs[3].value, "/d/h.db");
  EXPECT_EQ(JoinConnectionString(pairs), "Driver=SQLite3;Pwd={a;b=c};Flag;Database=/d/h.db");
}

TEST(ConnectionString, ValuesByKeyWithoutCase) {
  EXPECT_EQ(ConnectionStringValue("Driver=SQLite3;DATABASE=/d/h.db", "Database"), "/d/h.db");
  EXPECT_EQ(ConnectionStringValue("Driver=SQLite3", "Database"), "");
  EXPECT_TRUE(SameConnectionStringKey("pwd", "PWD"));
  EXPECT_FALSE(SameConnectionStringKey("pwd", "pw"));
}

TEST(ConnectionString, RedactionHidesEveryPasswordAndKeepsTheRest) {
  EXPECT_EQ(RedactConnectionString("Driver=X;Uid=u;PWD={se;cret};Server=db;password=p"),
            "Driver=X;Uid=u;PWD=***;Server=db;password=***");
}

}  // namespace
}  // namespace hastore
