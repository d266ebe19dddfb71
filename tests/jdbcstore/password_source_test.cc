// A database password out of argv: PwdFile= and HASTORE_JDBC_PASSWORD replaced by Pwd= just
// before the ODBC connect (connection_string.h), the file's rules, and no message that shows the
// password. The server-side check of a password is not tested here: the suite's PostgreSQL
// (tools/test_postgres.sh) trusts every local connection, so a wrong password would pass too;
// these tests stop at the connection string the driver is given.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <string>

#include "common/temp_dir.h"
#include "hastore/jdbcstore/connection_string.h"
#include "hastore/jdbcstore/odbc.h"
#include "hastore/storage/config.h"

namespace hastore {
namespace {

// The file system, as a map; a path not in it is NotFound.
struct FakeFiles {
  std::map<std::string, std::string> files;
  Result<std::string> operator()(const std::string& path) const {
    auto it = files.find(path);
    if (it == files.end()) return Status::NotFound("no password file " + path);
    return it->second;
  }
};

TEST(PasswordSource, APasswordFileBecomesPwdInBraces) {
  const FakeFiles fs{{{"/etc/pw", "s3cret;x=}\n"}}};
  Result<std::string> cs = WithPassword("Driver=PostgreSQL Unicode;Uid=u;PwdFile=/etc/pw;Database=d", fs, nullptr);
  ASSERT_TRUE(cs.ok()) << cs.status().ToString();
  EXPECT_EQ(*cs, "Driver=PostgreSQL Unicode;Uid=u;Pwd={s3cret;x=}}};Database=d");  // newline dropped, '}' doubled
  EXPECT_EQ(UnbracedConnectionStringValue(ConnectionStringValue(*cs, "Pwd")), "s3cret;x=}");
  // A braced path, and the key in any case.
  const FakeFiles braced{{{"/a;b/pw", "p\r\n"}}};
  Result<std::string> cs2 = WithPassword("Driver=X;pwdfile={/a;b/pw}", braced, nullptr);
  ASSERT_TRUE(cs2.ok()) << cs2.status().ToString();
  EXPECT_EQ(*cs2, "Driver=X;Pwd={p}");
}

TEST(PasswordSource, TheEnvironmentGivesThePasswordOnlyToAUserWithoutOne) {
  const FakeFiles none;
  EXPECT_EQ(*WithPassword("Driver=X;Uid=u", none, "envpw"), "Driver=X;Uid=u;Pwd={envpw}");
  EXPECT_EQ(*WithPassword("Driver=X;Uid=u;Pwd=given", none, "envpw"), "Driver=X;Uid=u;Pwd=given");
  EXPECT_EQ(*WithPassword("Driver=SQLite3;Database=/d/h.db", none, "envpw"), "Driver=SQLite3;Database=/d/h.db");
  EXPECT_EQ(*WithPassword("Driver=X;Uid=u", none, nullptr), "Driver=X;Uid=u");
  const FakeFiles fs{{{"/pw", "file"}}};
  EXPECT_EQ(*WithPassword("Driver=X;Uid=u;PwdFile=/pw", fs, "envpw"), "Driver=X;Uid=u;Pwd={file}");  // the file wins
}

TEST(PasswordSource, ConflictsAndMissingFilesAreRefusedNamingTheFile) {
  const FakeFiles none;
  Result<std::string> both = WithPassword("Driver=X;Pwd=p;PwdFile=/pw", none, nullptr);
  ASSERT_FALSE(both.ok());
  EXPECT_NE(both.status().message().find("both PwdFile=/pw and a Pwd="), std::string::npos) << both.status().message();
  Result<std::string> missing = WithPassword("Driver=X;PwdFile=/nowhere", none, nullptr);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("/nowhere"), std::string::npos) << missing.status().message();
  EXPECT_FALSE(WithPassword("Driver=X;PwdFile=", none, nullptr).ok());
  EXPECT_FALSE(WithPassword("Driver=X;PwdFile=/a;PwdFile=/b", none, nullptr).ok());
}

TEST(PasswordSource, BracesRoundTrip) {
  for (const std::string v : {"", "plain", "}", "a}}b", "{x}", ";=;"}) {
    EXPECT_EQ(UnbracedConnectionStringValue(BracedConnectionStringValue(v)), v) << v;
  }
  EXPECT_EQ(UnbracedConnectionStringValue("unbraced"), "unbraced");
}

TEST(PasswordSource, AStoreConfigsPasswordFileBecomesPwdFile) {
  JdbcStoreSettings j;
  j.connection = "Driver=X;Uid=u";
  j.password_file = "/etc/hastore/db.pw";
  EXPECT_EQ(j.EffectiveConnection(), "Driver=X;Uid=u;PwdFile={/etc/hastore/db.pw}");
  Result<StoreConfig> parsed = ParseStoreConfig(
      "[store]\nname = \"q\"\nkind = \"jdbc\"\n[jdbc]\nconnection = \"Driver=X;Uid=u\"\npassword_file = \"/etc/pw\"\n", "s.toml");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->jdbc.password_file, "/etc/pw");
  Result<StoreConfig> embedded = ParseStoreConfig(
      "[store]\nname = \"q\"\nkind = \"jdbc\"\n[jdbc]\ndirectory = \"/d\"\npassword_file = \"/etc/pw\"\n", "s.toml");
  ASSERT_FALSE(embedded.ok());
  EXPECT_NE(embedded.status().message().find("jdbc.password_file: only with jdbc.connection"), std::string::npos)
      << embedded.status().message();
}

// Through the real ODBC layer: the file's rules hold before anything is sent, and a failed
// connect shows neither the file's nor the environment's password.
class PasswordFileTest : public ::testing::Test {
 protected:
  std::string WritePassword(const std::string& text, mode_t mode) {
    const std::string path = dir_.path() + "/db.pw";
    std::ofstream(path, std::ios::trunc) << text;
    EXPECT_EQ(::chmod(path.c_str(), mode), 0);
    return path;
  }
  void TearDown() override { ::unsetenv(kPasswordEnvironmentVariable); }
  testing::TempDir dir_;
};

TEST_F(PasswordFileTest, AFileOthersMayReadIsRefusedBeforeConnecting) {
  const std::string path = WritePassword("hunter2-open\n", 0644);
  auto db = jdbcstore::OdbcConnection::Connect("Driver=SQLite3;Database=" + dir_.path() + "/x.db;PwdFile=" + path);
  ASSERT_FALSE(db.ok());
  EXPECT_NE(db.status().message().find(path), std::string::npos) << db.status().message();
  EXPECT_NE(db.status().message().find("open to group or others"), std::string::npos) << db.status().message();
  EXPECT_EQ(db.status().message().find("hunter2"), std::string::npos) << db.status().message();
}

TEST_F(PasswordFileTest, APasswordFromAFileConnectsAndNeverShows) {
  const std::string path = WritePassword("hunter2-file\n", 0600);
  // SQLite's driver takes the string with its Pwd= (and ignores it): the substitution gives a
  // string a driver accepts.
  auto ok = jdbcstore::OdbcConnection::Connect("Driver=SQLite3;Database=" + dir_.path() + "/x.db;PwdFile=" + path);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  auto failed = jdbcstore::OdbcConnection::Connect("Driver=NoSuchDriver;Uid=u;PwdFile=" + path);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().message().find("hunter2"), std::string::npos) << failed.status().message();
  EXPECT_NE(failed.status().message().find("PwdFile=" + path), std::string::npos) << failed.status().message();
}

TEST_F(PasswordFileTest, APasswordFromTheEnvironmentNeverShows) {
  ::setenv(kPasswordEnvironmentVariable, "hunter2-env", 1);
  auto failed = jdbcstore::OdbcConnection::Connect("Driver=NoSuchDriver;Uid=u;Database=x");
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().message().find("hunter2"), std::string::npos) << failed.status().message();
}

}  // namespace
}  // namespace hastore
