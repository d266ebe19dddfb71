// A JDBC open that fails is an error value, never a crash: the store is destroyed (and so
// closed) before it knew its database. Each case used to end in SIGSEGV inside Close, which read
// the SQL dialect the failed open never made (issue 14).
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "common/temp_dir.h"
#include "hastore/jdbcstore/jdbc_store.h"

namespace hastore::testing {
namespace {

StoreConfig JdbcConfig(const std::string& directory, const std::string& connection) {
  StoreConfig config;
  config.name = "failedopen";
  config.kind = StoreKind::kJdbc;
  config.jdbc.directory = directory;
  config.jdbc.connection = connection;
  config.jdbc.reconnect_retry_period_ms = 0;
  return config;
}

// A loopback port that nothing listens on: bound, then closed again.
int UnusedPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ADD_FAILURE() << "cannot find an unused port";
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

TEST(JdbcFailedOpen, AReaderOfAnEmptyDirectoryGetsNotFound) {
  TempDir dir;
  auto store = OpenJdbcStore(JdbcConfig(dir.path(), ""), Ownership{}, JdbcStoreOptions{.read_only = true});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kNotFound) << store.status().ToString();
  EXPECT_NE(store.status().message().find(dir.path()), std::string::npos) << store.status().ToString();
  EXPECT_TRUE(std::filesystem::is_empty(dir.path())) << "a failed reader created something";
}

TEST(JdbcFailedOpen, AReaderOfADirectoryThatDoesNotExistGetsNotFound) {
  TempDir dir;
  const std::string missing = dir.path() + "/missing";
  auto store = OpenJdbcStore(JdbcConfig(missing, ""), Ownership{}, JdbcStoreOptions{.read_only = true});
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.status().message().find(missing), std::string::npos) << store.status().ToString();
  EXPECT_FALSE(std::filesystem::exists(missing));
}

TEST(JdbcFailedOpen, AnUnregisteredOdbcDriverIsAnError) {
  TempDir dir;
  for (bool read_only : {false, true}) {
    auto store = OpenJdbcStore(JdbcConfig(dir.path(), "Driver={No Such Driver hastore};Database=x"), Ownership{},
                               JdbcStoreOptions{.read_only = read_only});
    ASSERT_FALSE(store.ok());
    EXPECT_NE(store.status().message().find("No Such Driver hastore"), std::string::npos)
        << store.status().ToString();
  }
}

TEST(JdbcFailedOpen, APostgresqlPortWithNoServerIsAnError) {
  TempDir dir;
  const std::string connection = "Driver={PostgreSQL Unicode};Server=127.0.0.1;Port=" +
                                 std::to_string(UnusedPort()) + ";Database=postgres;Uid=postgres";
  for (bool read_only : {false, true}) {
    auto store = OpenJdbcStore(JdbcConfig(dir.path(), connection), Ownership{}, JdbcStoreOptions{.read_only = read_only});
    ASSERT_FALSE(store.ok());
    EXPECT_NE(store.status().ToString().find("127.0.0.1"), std::string::npos) << store.status().ToString();
  }
}

}  // namespace
}  // namespace hastore::testing
