// The databases the JDBC tests run on: the embedded SQLite and the suite's PostgreSQL server
// (postgres.h), as the parameter of a test suite.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace hastore::testing {

enum class TestDatabase { kSqlite, kPostgresql };

inline const std::vector<TestDatabase> kBothDatabases = {TestDatabase::kSqlite, TestDatabase::kPostgresql};

// For INSTANTIATE_TEST_SUITE_P: "sqlite" or "postgresql".
inline std::string DatabaseName(const ::testing::TestParamInfo<TestDatabase>& info) {
  return info.param == TestDatabase::kSqlite ? "sqlite" : "postgresql";
}

}  // namespace hastore::testing
