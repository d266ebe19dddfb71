// Records of 16 MiB (a quarter of the default store.max_record_size) through a JDBC store, on
// SQLite and PostgreSQL: each comes back byte for byte, through Read, Scan and a reopen, and
// the reopened index counts their sizes from the table.
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "jdbcstore/test_table.h"

namespace hastore::testing {
namespace {

constexpr size_t kRecordBytes = 16u << 20;

// 16 MiB of a pattern of its own per seed (xorshift), so a swapped, shifted or truncated
// record never matches another.
std::string Pattern(uint64_t seed) {
  std::string out(kRecordBytes, '\0');
  uint64_t x = 0x9E3779B97F4A7C15ull * (seed + 1);
  for (size_t i = 0; i < out.size(); i += 8) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    for (size_t b = 0; b < 8 && i + b < out.size(); ++b) out[i + b] = static_cast<char>(x >> (8 * b));
  }
  return out;
}

// Where two byte strings first differ, for a message that does not print 16 MiB.
std::string FirstDifference(const std::string& got, const std::string& want) {
  if (got == want) return "";
  size_t i = 0;
  while (i < got.size() && i < want.size() && got[i] == want[i]) ++i;
  return "got " + std::to_string(got.size()) + " bytes, want " + std::to_string(want.size()) +
         "; first difference at byte " + std::to_string(i);
}

class LargeRecordTest : public ::testing::TestWithParam<TestDatabase> {};

TEST_P(LargeRecordTest, SixteenMebibyteRecordsComeBackExactly) {
  TestTable table(GetParam(), "large");
  ASSERT_GE(table.config().max_record_size, kRecordBytes);
  auto store = table.Open();
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto conn = (*store)->OpenConnection("large");
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();

  // Two records in one transaction, one alone.
  std::map<Handle, uint64_t> seeds;
  std::vector<Handle> handles;
  ASSERT_TRUE(CommitCreates(**store, *conn, {Pattern(1), Pattern(2)}, &handles).ok());
  ASSERT_TRUE(CommitCreates(**store, *conn, {Pattern(3)}, &handles).ok());
  for (size_t i = 0; i < handles.size(); ++i) seeds[handles[i]] = i + 1;

  auto check = [&](const Store& s, const char* when) {
    for (const auto& [h, seed] : seeds) {
      auto read = s.Read(h);
      ASSERT_TRUE(read.ok()) << when << ": " << read.status().ToString();
      EXPECT_EQ(FirstDifference(*read, Pattern(seed)), "") << when << ": read of record " << seed;
    }
    size_t scanned = 0;
    Status scan = s.Scan(*conn, [&](Handle h, std::string_view data) {
      ++scanned;
      auto it = seeds.find(h);
      EXPECT_NE(it, seeds.end()) << when << ": scan found unknown handle " << h;
      if (it != seeds.end()) {
        EXPECT_EQ(FirstDifference(std::string(data), Pattern(it->second)), "") << when;
      }
      return true;
    });
    ASSERT_TRUE(scan.ok()) << scan.ToString();
    EXPECT_EQ(scanned, seeds.size()) << when;
  };
  check(**store, "as committed");
  ASSERT_TRUE((*store)->Close().ok());

  store = table.Open();
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ((*store)->Stats().records, 3u);
  EXPECT_EQ((*store)->Stats().record_bytes, 3 * kRecordBytes) << "the index's sizes, from the table";
  check(**store, "after the reopen");
}

INSTANTIATE_TEST_SUITE_P(Databases, LargeRecordTest, ::testing::ValuesIn(kBothDatabases), DatabaseName);

}  // namespace
}  // namespace hastore::testing
