// HASTORE_CHECK (hastore/internal/check.h): always on, release builds included.
#include <gtest/gtest.h>

#include <string>

#include "hastore/internal/check.h"

namespace hastore {
namespace {

#ifdef NDEBUG
constexpr bool kAssertsStripped = true;
#else
constexpr bool kAssertsStripped = false;
#endif

// The suite is built as the libraries are (RelWithDebInfo: NDEBUG, assert() compiled out), so
// the death test below shows the check survives where assert would not.
TEST(Check, ThisBuildStripsAssertsLikeTheLibraries) { EXPECT_TRUE(kAssertsStripped); }

TEST(CheckDeathTest, AbortsNamingFileLineConditionAndMessage) {
  const int three = 3;
  EXPECT_DEATH(HASTORE_CHECK(three < 2, "three is " + std::to_string(three)),
               "check_test\\.cc:[0-9]+: HASTORE_CHECK\\(three < 2\\) failed: three is 3");
}

TEST(Check, BuildsNoMessageWhenTheConditionHolds) {
  int built = 0;
  auto message = [&] {
    ++built;
    return std::string("unused");
  };
  HASTORE_CHECK(1 + 1 == 2, message());
  EXPECT_EQ(built, 0);
}

}  // namespace
}  // namespace hastore
