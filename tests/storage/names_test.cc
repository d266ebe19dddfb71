// The naming rules of DESIGN §4: the shared vectors, then every kind of bad input.
#include "hastore/storage/names.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace hastore {
namespace {

void ExpectInvalid(const Status& s, std::string_view needle) {
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  EXPECT_NE(s.message().find(needle), std::string::npos) << "'" << needle << "' not in: " << s.message();
}

// ---- the shared vectors -----------------------------------------------------------------------

struct NameVector {
  int line = 0;
  std::string prefix, distribution, store, server, instance, table, dat, rgn;
};

std::vector<std::string> SplitTabs(const std::string& line) {
  std::vector<std::string> cols;
  std::stringstream in(line);
  std::string col;
  while (std::getline(in, col, '\t')) cols.push_back(col);
  if (!line.empty() && line.back() == '\t') cols.emplace_back();
  return cols;
}

std::vector<NameVector> LoadVectors(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  std::vector<NameVector> rows;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> c = SplitTabs(line);
    EXPECT_EQ(c.size(), 8u) << path << ":" << n << ": expected 8 tab-separated columns";
    if (c.size() != 8) continue;
    rows.push_back({n, c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]});
  }
  return rows;
}

TEST(NamesVectors, EveryRowOfNamesTsv) {
  const std::string path = HASTORE_VECTORS_DIR "/names.tsv";
  std::vector<NameVector> rows = LoadVectors(path);
  ASSERT_FALSE(rows.empty()) << "no vectors in " << path;
  for (const NameVector& v : rows) {
    SCOPED_TRACE("names.tsv line " + std::to_string(v.line));
    Result<Distribution> d = ParseDistribution(v.distribution);
    ASSERT_TRUE(d.ok()) << d.status().ToString();

    Result<std::string> instance = InstanceName(v.store, v.server, *d);
    ASSERT_TRUE(instance.ok()) << instance.status().ToString();
    EXPECT_EQ(*instance, v.instance);

    Result<std::string> table = TableName(v.prefix, *d, v.store, v.server);
    ASSERT_TRUE(table.ok()) << table.status().ToString();
    EXPECT_EQ(*table, v.table);

    Result<std::string> dat = DatFileName(v.instance, 0);
    ASSERT_TRUE(dat.ok()) << dat.status().ToString();
    EXPECT_EQ(*dat, v.dat);

    Result<std::string> rgn = RgnFileName(v.instance, 0);
    ASSERT_TRUE(rgn.ok()) << rgn.status().ToString();
    EXPECT_EQ(*rgn, v.rgn);
  }
}

// ---- store, server and cluster names ----------------------------------------------------------

TEST(ValidateName, AcceptsLettersDigitsUnderscoreHyphenUpTo128) {
  for (std::string ok : {"a", "myStore", "_WLS_wrrcu1-adminserver", "0-9_Z"}) {
    EXPECT_TRUE(ValidateName("store name", ok).ok()) << ok;
  }
  EXPECT_TRUE(ValidateName("store name", std::string(128, 'x')).ok());
}

TEST(ValidateName, RefusesBadNamesAndSaysWhat) {
  ExpectInvalid(ValidateName("store name", ""), "store name is empty");
  ExpectInvalid(ValidateName("store name", std::string(129, 'x')), "129 characters");
  const std::string bad[] = {"a/b", "a\\b", std::string("a\0b", 3), "a b", "a.b", "a@b", "caf\xC3\xA9"};
  for (const std::string& name : bad) {
    SCOPED_TRACE(name);
    ExpectInvalid(ValidateName("store name", name), "store name");
    ExpectInvalid(ValidateName("store name", name), "contains the character");
  }
  ExpectInvalid(ValidateName("server name", "ms 1"), "server name 'ms 1'");
  ExpectInvalid(ValidateName("store name", std::string("a\0b", 3)), "\\x00");
}

// ---- prefixes ---------------------------------------------------------------------------------

TEST(ValidatePrefix, AcceptsUpToThreePartsAndATrailingPeriod) {
  for (std::string ok :
       {"", "myPrefix", "myPrefix.", "schema.prefix", "cat.schema.prefix", "cat.schema.", "TLOG_msp1_"}) {
    EXPECT_TRUE(ValidatePrefix(ok).ok()) << ok;
  }
}

TEST(ValidatePrefix, RefusesBadPrefixes) {
  for (std::string bad : {"a..b", ".a", "a b", "a/b", ".", "a.b.c.d", "a@b."}) {
    SCOPED_TRACE(bad);
    ExpectInvalid(ValidatePrefix(bad), "prefix '" + bad + "'");
  }
  ExpectInvalid(ValidatePrefix("a..b"), "part 2 is empty");
}

// ---- connection names -------------------------------------------------------------------------

TEST(ValidateConnectionName, AcceptsAnyUtf8UpTo255Bytes) {
  std::string euros;
  for (int i = 0; i < 85; ++i) euros += "\xE2\x82\xAC";  // 85 x 3 bytes
  ASSERT_EQ(euros.size(), 255u);
  for (const std::string& ok : {std::string("orders"), std::string("a b/c.d@e"),
                                std::string("\xC3\xBC"
                                            "ber"),
                                std::string("\xF0\x9F\x98\x80"), std::string(255, 'c'), euros}) {
    EXPECT_TRUE(ValidateConnectionName(ok).ok()) << ok;
  }
}

TEST(ValidateConnectionName, RefusesEmptyTooLongNulAndBadUtf8) {
  ExpectInvalid(ValidateConnectionName(""), "connection name is empty");
  ExpectInvalid(ValidateConnectionName(std::string(256, 'c')), "256 bytes");
  ExpectInvalid(ValidateConnectionName(std::string("a\0b", 3)), "NUL at byte 1");
  const std::string bad_utf8[] = {"\xC3", "a\xFF", "\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\x80"};
  for (const std::string& bad : bad_utf8) {
    ExpectInvalid(ValidateConnectionName(bad), "not valid UTF-8");
  }
}

// ---- instances, files, tables ------------------------------------------------------------------

TEST(InstanceName, ServerRequiredAndValidatedOnlyWhenDistributed) {
  ExpectInvalid(InstanceName("myStore", "", Distribution::kDistributed).status(), "server name is empty");
  ExpectInvalid(InstanceName("myStore", "a/b", Distribution::kDistributed).status(), "server name 'a/b'");
  ExpectInvalid(InstanceName("my Store", "ms1", Distribution::kNone).status(), "store name 'my Store'");
  EXPECT_EQ(InstanceName("myStore", "", Distribution::kSingleton).value(), "myStore-01");
  EXPECT_EQ(InstanceName("myStore", "", Distribution::kNone).value(), "myStore");
}

using FileNameFn = Result<std::string> (*)(std::string_view, uint32_t);

TEST(SegmentFileNames, NumbersUpTo999999) {
  const std::pair<FileNameFn, std::string> cases[] = {
      {DatFileName, "MYSTORE@MS1999999.DAT"},
      {RgnFileName, "MYSTORE@MS1999999.RGN"},
      {CacheFileName, "WLStoreCache/MYSTORE@MS1999999.DAT.cache"},
  };
  for (const auto& [fn, expected] : cases) {
    SCOPED_TRACE(expected);
    Result<std::string> max = fn("myStore@ms1", 999999);
    ASSERT_TRUE(max.ok()) << max.status().ToString();
    EXPECT_EQ(*max, expected);
    ExpectInvalid(fn("myStore@ms1", 1000000).status(), "file number 1000000");
    ExpectInvalid(fn("", 0).status(), "instance name is empty");
    ExpectInvalid(fn("a/b", 0).status(), "instance name 'a/b'");
    ExpectInvalid(fn("a@b@c", 0).status(), "more than one '@'");
  }
}

TEST(CacheFileName, LivesUnderWLStoreCache) {
  EXPECT_EQ(CacheFileName("myStore", 7).value(), "WLStoreCache/MYSTORE000007.DAT.cache");
  EXPECT_EQ(CacheFileName("myStore-01", 0).value(), "WLStoreCache/MYSTORE-01000000.DAT.cache");
}

TEST(ParseDatFileName, RoundTrips) {
  for (std::string instance :
       {"myStore", "myStore@myServer", "myStore-01", "_WLS_wrrcu1-adminserver", "X0"}) {
    for (uint32_t number : {0u, 1u, 42u, 999999u}) {
      Result<std::string> name = DatFileName(instance, number);
      ASSERT_TRUE(name.ok()) << name.status().ToString();
      std::optional<SegmentFileName> parsed = ParseDatFileName(*name);
      ASSERT_TRUE(parsed.has_value()) << *name;
      EXPECT_EQ(parsed->instance_upper, UpperInstance(instance));
      EXPECT_EQ(parsed->number, number);
    }
  }
}

TEST(ParseDatFileName, RefusesNearMisses) {
  for (std::string bad : {"", ".DAT", "000000.DAT", "X00000.DAT", "X00000a.DAT", "x000000.DAT", "X000000.dat",
                          "X000000.Dat", "X000000.DATX", "X000000.RGN", "X000000.DAT.cache", "A/B000000.DAT",
                          "A B000000.DAT", "A@B@C000000.DAT"}) {
    EXPECT_FALSE(ParseDatFileName(bad).has_value()) << bad;
  }
}

TEST(ParseDatFileName, SevenDigitsAreAnInstanceEndingInADigit) {
  // Names may end in digits ("msp1"), so "X0000000.DAT" is instance "X0", file 0: DatFileName("X0", 0).
  std::optional<SegmentFileName> parsed = ParseDatFileName("X0000000.DAT");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->instance_upper, "X0");
  EXPECT_EQ(parsed->number, 0u);
}

TEST(TableName, RefusesBadInputs) {
  ExpectInvalid(TableName("a..b", Distribution::kNone, "myStore", "").status(), "prefix 'a..b'");
  ExpectInvalid(TableName("", Distribution::kNone, "", "").status(), "store name is empty");
  ExpectInvalid(TableName("p", Distribution::kDistributed, "myStore", "").status(), "server name is empty");
  ExpectInvalid(TableName("p", Distribution::kDistributed, "myStore", "m;drop").status(),
                "server name 'm;drop'");
}

TEST(TableName, KeepsHyphensOfServerNames) {
  EXPECT_EQ(TableName("", Distribution::kDistributed, "s", "ms-1").value(), "ms-1_WLStore");
}

TEST(UpperInstance, UpperCasesAsciiOnly) { EXPECT_EQ(UpperInstance("myStore@ms-1_a"), "MYSTORE@MS-1_A"); }

TEST(Distribution, ParsesItsOwnNames) {
  for (Distribution d : {Distribution::kNone, Distribution::kDistributed, Distribution::kSingleton}) {
    Result<Distribution> parsed = ParseDistribution(ToString(d));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, d);
  }
  ExpectInvalid(ParseDistribution("cluster").status(), "unknown distribution 'cluster'");
}

}  // namespace
}  // namespace hastore
