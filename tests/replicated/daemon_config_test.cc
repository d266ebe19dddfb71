// The daemons' configuration: what it reads, the errors that name the key, and the pair of
// daemons an instance gets.
#include "hastore/replicated/daemon_config.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <map>
#include <string>
#include <utility>

#include "common/temp_dir.h"

namespace hastore::replicated {
namespace {

constexpr const char* kTwo = R"(
region_size = 8388608
max_message_size_percent = 2
auth_key_file = "rsd.key"
[[daemons]]
address = "127.0.0.2:7401"
socket = "/run/rsd0.sock"
directory = "/var/lib/rsd0"
[[daemons]]
address = "127.0.0.3:7401"
directory = "/var/lib/rsd1"
)";

void ExpectError(const std::string& text, const std::string& want) {
  Result<DaemonConfig> c = ParseDaemonConfig(text, "rsd.toml");
  ASSERT_FALSE(c.ok()) << text;
  EXPECT_NE(c.status().message().find(want), std::string::npos) << c.status().message();
}

TEST(DaemonConfig, ReadsEveryDaemonAndItsDefaults) {
  Result<DaemonConfig> c = ParseDaemonConfig(kTwo, "rsd.toml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->daemons.size(), 2u);
  EXPECT_EQ(c->daemons[0].socket, "/run/rsd0.sock");
  EXPECT_EQ(c->daemons[1].directory, "/var/lib/rsd1");
  EXPECT_EQ(c->max_message_bytes(), 8388608u * 2 / 100);
  EXPECT_EQ(c->space_overload_yellow, 80u);
  EXPECT_EQ(c->space_overload_red, 90u);
  EXPECT_EQ(c->local_index, -1);
  EXPECT_EQ(c->auth_key_file, "rsd.key");
  EXPECT_TRUE(c->auth_key.empty());  // parsing reads no file
}

TEST(DaemonConfig, WhatFormatWritesReadsBackTheSame) {
  DaemonConfig c;
  c.region_size = 16u << 20;
  c.max_message_size_percent = 3;
  c.capacity = 1u << 30;
  c.space_overload_yellow = 70;
  c.space_overload_red = 85;
  c.flush_interval_ms = 250;
  c.local_index = 1;
  c.auth_key_file = "/etc/hastore/rsd.key";
  c.auth_key = "the secret itself";
  c.daemons = {{"127.0.0.2:7401", "/run/a \"quoted\".sock", "/var/lib/rsd0"}, {"127.0.0.3:7401", "", "/var/lib/rsd 1"}};
  const std::string text = FormatDaemonConfig(c);
  Result<DaemonConfig> back = ParseDaemonConfig(text, "formatted");
  ASSERT_TRUE(back.ok()) << back.status().ToString() << "\n" << text;
  EXPECT_EQ(back->region_size, c.region_size);
  EXPECT_EQ(back->max_message_size_percent, c.max_message_size_percent);
  EXPECT_EQ(back->capacity, c.capacity);
  EXPECT_EQ(back->space_overload_yellow, c.space_overload_yellow);
  EXPECT_EQ(back->space_overload_red, c.space_overload_red);
  EXPECT_EQ(back->flush_interval_ms, c.flush_interval_ms);
  EXPECT_EQ(back->local_index, 1);
  EXPECT_EQ(back->auth_key_file, c.auth_key_file);
  EXPECT_EQ(text.find("the secret itself"), std::string::npos) << text;
  ASSERT_EQ(back->daemons.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(back->daemons[i].address, c.daemons[i].address);
    EXPECT_EQ(back->daemons[i].socket, c.daemons[i].socket);
    EXPECT_EQ(back->daemons[i].directory, c.daemons[i].directory);
  }
}

TEST(DaemonConfig, ErrorsNameTheKey) {
  ExpectError("flush_interval_ms = \"soon\"\n" + std::string(kTwo), "rsd.toml:1:21: flush_interval_ms: expected an integer");
  ExpectError("space_overload_red = 101\n" + std::string(kTwo), "space_overload_red: 101 is out of range");
  ExpectError(std::string(kTwo) + "[[daemons]]\nadress = \"x\"\n", "unknown key 'daemons[2].adress'");
  ExpectError("[[daemons]]\naddress = \"127.0.0.2:1\"\ndirectory = \"/d\"\n", "at least two daemons");
  ExpectError(std::string(kTwo) + "[[daemons]]\naddress = \"127.0.0.2:7401\"\ndirectory = \"/d\"\n",
              "daemons[2].address: 127.0.0.2:7401 is daemons[0]'s too");
  ExpectError("region_size = [\n", "TOML syntax error");
  std::string keyless = kTwo;
  keyless.erase(keyless.find("auth_key_file"), keyless.find("[[daemons]]") - keyless.find("auth_key_file"));
  ExpectError(keyless, "auth_key_file: missing");
}

// The key file: refused, naming it, when missing, empty, shorter than 32 bytes or open to group
// or others; a relative one is found beside the configuration; --key-file's is read instead.
class AuthKeyFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(dir_.path() + "/rsd.toml") << kTwo;
  }
  void WriteKey(const std::string& name, const std::string& bytes, mode_t mode) {
    const std::string path = dir_.path() + "/" + name;
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
    ASSERT_EQ(::chmod(path.c_str(), mode), 0);
  }
  Result<DaemonConfig> Load(const std::string& key_file = "") { return LoadDaemonConfig(dir_.path() + "/rsd.toml", key_file); }
  void ExpectRefused(const std::string& want) {
    Result<DaemonConfig> c = Load();
    ASSERT_FALSE(c.ok());
    EXPECT_NE(c.status().message().find(dir_.path() + "/rsd.key"), std::string::npos) << c.status().message();
    EXPECT_NE(c.status().message().find(want), std::string::npos) << c.status().message();
  }
  hastore::testing::TempDir dir_;
};

TEST_F(AuthKeyFileTest, AKeyOf32BytesOnlyItsOwnerReadsIsLoaded) {
  WriteKey("rsd.key", std::string(32, 'k'), 0600);
  Result<DaemonConfig> c = Load();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->auth_key, std::string(32, 'k'));
  EXPECT_EQ(c->auth_key_file, dir_.path() + "/rsd.key");  // beside the configuration
  WriteKey("rsd.key", std::string(32, 'k'), 0400);
  EXPECT_TRUE(Load().ok());
}

TEST_F(AuthKeyFileTest, AMissingEmptyShortOrOpenKeyIsRefusedNamingTheFile) {
  ExpectRefused("No such file");
  WriteKey("rsd.key", "", 0600);
  ExpectRefused("is empty");
  WriteKey("rsd.key", std::string(31, 'k'), 0600);
  ExpectRefused("holds 31 bytes; at least 32");
  WriteKey("rsd.key", std::string(32, 'k'), 0640);
  ExpectRefused("open to group or others (mode 0640)");
  WriteKey("rsd.key", std::string(32, 'k'), 0604);
  ExpectRefused("open to group or others (mode 0604)");
}

TEST_F(AuthKeyFileTest, AnOperatorsKeyFileIsReadInsteadOfTheConfigurations) {
  WriteKey("mine.key", std::string(40, 'm'), 0600);
  Result<DaemonConfig> c = Load(dir_.path() + "/mine.key");  // rsd.key does not even exist
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->auth_key, std::string(40, 'm'));
  EXPECT_EQ(c->auth_key_file, dir_.path() + "/mine.key");
}

// Every client and daemon, of any build, must place an instance alike: the pairs are fixed
// values of FORMAT.md's rule, XXH3-64 of the name (seed 0) mod N, then the next daemon.
TEST(DaemonConfig, AnInstanceLivesOnTwoNeighbouringDaemonsEveryClientAgreesOn) {
  DaemonConfig c;
  c.daemons.resize(5);
  const std::map<std::string, std::pair<int, int>> want = {
      {"orders", {4, 0}}, {"orders@ms1", {1, 2}}, {"ledger-01", {4, 0}}};
  for (const auto& [instance, pair] : want) {
    const auto [first, second] = c.PairOf(instance);
    EXPECT_EQ(second, (first + 1) % 5) << instance;
    EXPECT_EQ(c.PairOf(instance), pair) << instance;
  }
}

}  // namespace
}  // namespace hastore::replicated
