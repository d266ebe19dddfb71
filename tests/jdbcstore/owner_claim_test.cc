// DecideOwnerClaim against every row of the Ownership table of jdbcstore/FORMAT.md: the epoch
// an opener takes, or the refusal (kFenced, kLocked) and a message that names the table, the
// holder and the stored epoch.
#include <gtest/gtest.h>

#include <cctype>
#include <optional>
#include <string>
#include <vector>

#include "owner_claim.h"

namespace hastore::jdbcstore {
namespace {

constexpr char kTable[] = "orders_ms-1_WLStore";
constexpr char kHolder[] = "ms-1 (pid 4242 on host-a)";

struct ClaimCase {
  const char* row;                   // the FORMAT.md row it stands for
  std::optional<uint64_t> stored;    // S; nullopt: no owner row
  uint64_t requested;                // E
  bool other_live;
  StatusCode code;                   // kOk: the claim succeeds with `epoch`
  uint64_t epoch;
};

const std::vector<ClaimCase> kCases = {
    // no owner row, nobody live: insert it with E (E = 0 means 1)
    {"no owner row, E = 0", std::nullopt, 0, false, StatusCode::kOk, 1},
    {"no owner row, E = 7", std::nullopt, 7, false, StatusCode::kOk, 7},
    // E = 0 (single-server mode), nobody live: S + 1
    {"E = 0, S = 1", 1, 0, false, StatusCode::kOk, 2},
    {"E = 0, S = 41", 41, 0, false, StatusCode::kOk, 42},
    // E > S, live or not: E (the lease authority moved the instance)
    {"E > S, not live", 5, 6, false, StatusCode::kOk, 6},
    {"E > S, live", 5, 6, true, StatusCode::kOk, 6},
    {"E >> S, live", 5, 1000, true, StatusCode::kOk, 1000},
    // E = S, nobody live: E (the same owner again, after a restart)
    {"E = S, not live", 9, 9, false, StatusCode::kOk, 9},
    // E < S, live or not: refused, fenced
    {"E < S, not live", 9, 8, false, StatusCode::kFenced, 0},
    {"E < S, live", 9, 3, true, StatusCode::kFenced, 0},
    {"E = 1 < S, not live", 2, 1, false, StatusCode::kFenced, 0},
    // E <= S or E = 0, another owner live: refused, locked
    {"E = S, live", 9, 9, true, StatusCode::kLocked, 0},
    {"E = 0, live", 9, 0, true, StatusCode::kLocked, 0},
};

class OwnerClaimTest : public ::testing::TestWithParam<ClaimCase> {};

TEST_P(OwnerClaimTest, FollowsTheOwnershipTable) {
  const ClaimCase& c = GetParam();
  std::optional<StoredOwner> stored;
  if (c.stored) stored = StoredOwner{*c.stored, kHolder};
  Result<uint64_t> got = DecideOwnerClaim(kTable, stored, c.requested, c.other_live);
  if (c.code == StatusCode::kOk) {
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(*got, c.epoch);
    return;
  }
  ASSERT_FALSE(got.ok()) << "claimed epoch " << *got;
  EXPECT_EQ(got.status().code(), c.code) << got.status().ToString();
  const std::string& message = got.status().message();
  EXPECT_NE(message.find(kTable), std::string::npos) << "the refusal names the table: " << message;
  EXPECT_NE(message.find(kHolder), std::string::npos) << "the refusal names the holder: " << message;
  EXPECT_NE(message.find("epoch " + std::to_string(*c.stored)), std::string::npos)
      << "the refusal names the stored epoch: " << message;
}

INSTANTIATE_TEST_SUITE_P(FormatRows, OwnerClaimTest, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<ClaimCase>& info) {
                           std::string name;
                           for (const char* p = info.param.row; *p; ++p) {
                             const char ch = *p;
                             if (std::isalnum(static_cast<unsigned char>(ch))) name += ch;
                             else if (ch == '=') name += "eq";
                             else if (ch == '<') name += "lt";
                             else if (ch == '>') name += "gt";
                             else if (!name.empty() && name.back() != '_') name += '_';
                           }
                           return name;
                         });

// Not a row of the table, but what happens while a first opener holds the session lock and has
// not written the owner row yet: nobody may claim it without a lease epoch.
TEST(OwnerClaim, ALiveOpenerWithoutAnOwnerRowYetLocksOutEpochZero) {
  Result<uint64_t> got = DecideOwnerClaim(kTable, std::nullopt, 0, true);
  ASSERT_FALSE(got.ok()) << "claimed epoch " << *got;
  EXPECT_EQ(got.status().code(), StatusCode::kLocked);
  EXPECT_NE(got.status().message().find(kTable), std::string::npos) << got.status().message();
  Result<uint64_t> leased = DecideOwnerClaim(kTable, std::nullopt, 3, true);
  ASSERT_TRUE(leased.ok()) << leased.status().ToString();
  EXPECT_EQ(*leased, 3u);
}

}  // namespace
}  // namespace hastore::jdbcstore
