// ReadTextFile (config.h): the whole of a file, whatever size the file system reports for it.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "common/temp_dir.h"
#include "hastore/storage/config.h"

namespace hastore {
namespace {

TEST(ReadTextFile, ARegularFileIsReadWhole) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/cluster.toml";
  // Longer than one read, so the end is found by a read that returns nothing.
  std::string text;
  for (int i = 0; i < 1000; ++i) text += "line " + std::to_string(i) + "\n";
  std::ofstream(path) << text;
  Result<std::string> read = ReadTextFile(path);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(*read, text);

  const std::string empty = dir.path() + "/empty.toml";
  std::ofstream{empty};
  Result<std::string> nothing = ReadTextFile(empty);
  ASSERT_TRUE(nothing.ok()) << nothing.status().ToString();
  EXPECT_TRUE(nothing->empty());
}

TEST(ReadTextFile, AProcFileThatReportsSizeZeroIsReadWhole) {
  // The local lease authority's boot id: stat says 0 bytes, a read gives 37.
  Result<std::string> boot_id = ReadTextFile("/proc/sys/kernel/random/boot_id");
  ASSERT_TRUE(boot_id.ok()) << boot_id.status().ToString();
  EXPECT_FALSE(boot_id->empty());
  EXPECT_EQ(boot_id->size(), 37u) << *boot_id;  // a UUID and a newline
}

TEST(ReadTextFile, AMissingFileIsNotFound) {
  testing::TempDir dir;
  EXPECT_EQ(ReadTextFile(dir.path() + "/none.toml").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace hastore
