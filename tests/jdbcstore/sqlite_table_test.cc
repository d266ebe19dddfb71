// The WLStore table through unixODBC on SQLite (embedded: a database file, nothing to start):
// quoting of table names, creation from the shipped DDL, refusal of mismatched tables, and
// record bytes and names that travel only as bound parameters.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "common/temp_dir.h"
#include "hastore/jdbcstore/ddl.h"
#include "hastore/storage/config.h"
#include "hastore/jdbcstore/odbc.h"
#include "hastore/jdbcstore/sql_identifier.h"
#include "table_schema.h"

namespace hastore::jdbcstore {
namespace {

using testing::TempDir;

std::vector<std::string> SplitTabs(const std::string& line) {
  std::vector<std::string> fields;
  size_t at = 0;
  for (size_t tab; (tab = line.find('\t', at)) != std::string::npos; at = tab + 1) fields.push_back(line.substr(at, tab - at));
  fields.push_back(line.substr(at));
  return fields;
}

TEST(QuoteTableName, EveryTableNameOfTheVectorsIsQuoted) {
  std::ifstream tsv(HASTORE_VECTORS_DIR "/names.tsv");
  ASSERT_TRUE(tsv);
  int rows = 0;
  for (std::string line; std::getline(tsv, line);) {
    if (line.empty() || line[0] == '#') continue;
    const std::string table = SplitTabs(line).at(5);
    auto quoted = QuoteTableName(table);
    ASSERT_TRUE(quoted.ok()) << table << ": " << quoted.status().ToString();
    std::string want = "\"";
    for (char c : table) want += c == '.' ? std::string("\".\"") : std::string(1, c);
    EXPECT_EQ(*quoted, want + "\"");
    ++rows;
  }
  EXPECT_GE(rows, 8);
}

TEST(QuoteTableName, CatalogSchemaAndTableAreQuotedApart) {
  auto quoted = QuoteTableName("cat.app.orders_ms-1_WLStore");
  ASSERT_TRUE(quoted.ok()) << quoted.status().ToString();
  EXPECT_EQ(*quoted, "\"cat\".\"app\".\"orders_ms-1_WLStore\"");
}

TEST(QuoteTableName, NamesThatCouldChangeAStatementAreRefused) {
  for (const char* bad : {"a;b", "a\"b", "a'b", "a b", "a--", "a..b", ".a", "a.", "", "a.b.c.d", "tab\tle", "ä"}) {
    auto quoted = QuoteTableName(bad);
    if (std::string(bad) == "a--") {  // '-' is a name character (server names hold it); quoted, it is harmless
      EXPECT_TRUE(quoted.ok());
      continue;
    }
    EXPECT_EQ(quoted.status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

class SqliteTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = OdbcConnection::Connect("Driver=SQLite3;Database=" + dir_.path() + "/store.db");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    auto ddl = ShippedDdl("sqlite");
    ASSERT_TRUE(ddl.ok());
    ddl_ = *ddl;
  }

  TempDir dir_;
  std::unique_ptr<OdbcConnection> db_;
  std::string ddl_;
};

// The embedded default must sync every commit: the driver takes SyncPragma and JournalMode from
// the connection string, and a driver that ignored them would leave SQLite's NORMAL (no sync per
// commit in WAL mode) and lose acknowledged commits on power loss.
TEST(EmbeddedSqlite, TheDefaultConnectionSyncsEveryCommitInWalMode) {
  TempDir dir;
  JdbcStoreSettings settings;
  settings.directory = dir.path();
  auto db = OdbcConnection::Connect(settings.EffectiveConnection());
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  auto synchronous = (*db)->Prepare("PRAGMA synchronous");
  ASSERT_TRUE(synchronous.ok());
  auto level = (*synchronous)->ExecuteScalar();
  ASSERT_TRUE(level.ok()) << level.status().ToString();
  EXPECT_EQ(*level, std::optional<int64_t>(2)) << "PRAGMA synchronous is not FULL";
  auto journal = (*db)->Prepare("PRAGMA journal_mode");
  ASSERT_TRUE(journal.ok());
  ASSERT_TRUE((*journal)->Execute().ok());
  auto row = (*journal)->Fetch();
  ASSERT_TRUE(row.ok() && *row);
  auto mode = (*journal)->GetBytes(1);
  ASSERT_TRUE(mode.ok()) << mode.status().ToString();
  EXPECT_EQ(*mode, "wal");
}

TEST_F(SqliteTableTest, AMissingTableIsCreatedFromTheShippedDdl) {
  ASSERT_TRUE(EnsureWLStoreTable(*db_, "S_01_WLStore", ddl_).ok());
  ASSERT_TRUE(EnsureWLStoreTable(*db_, "S_01_WLStore", ddl_).ok()) << "an existing table is accepted";
  auto product = db_->DatabaseProductName();
  ASSERT_TRUE(product.ok());
  EXPECT_NE(product->find("SQLite"), std::string::npos) << *product;
}

TEST_F(SqliteTableTest, TableNamesNeedingQuotesWork) {
  // A '-' from a server name, and a schema qualifier from a prefix ending with '.'.
  ASSERT_TRUE(EnsureWLStoreTable(*db_, "my-Server_WLStore", ddl_).ok());
  ASSERT_TRUE(EnsureWLStoreTable(*db_, "main._my-Server_WLStore", ddl_).ok());
}

TEST_F(SqliteTableTest, ATableWithOtherColumnsIsRefusedNamingTableAndColumn) {
  ASSERT_TRUE(db_->ExecuteDirect("CREATE TABLE \"Other_WLStore\" (ID BIGINT PRIMARY KEY, TYPE INTEGER, HANDLE BIGINT, DATA BLOB)", "setup").ok());
  ASSERT_TRUE(db_->Commit().ok());
  Status s = EnsureWLStoreTable(*db_, "Other_WLStore", ddl_);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("Other_WLStore"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("RECORD"), std::string::npos) << s.message();

  ASSERT_TRUE(db_->ExecuteDirect("CREATE TABLE \"Extra_WLStore\" (ID BIGINT PRIMARY KEY, TYPE INTEGER, HANDLE BIGINT, RECORD BLOB, NOTE TEXT)", "setup").ok());
  ASSERT_TRUE(db_->Commit().ok());
  s = EnsureWLStoreTable(*db_, "Extra_WLStore", ddl_);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("NOTE"), std::string::npos) << s.message();
}

TEST_F(SqliteTableTest, AnyBytesTravelAsBoundParameters) {
  ASSERT_TRUE(EnsureWLStoreTable(*db_, "WLStore", ddl_).ok());
  const std::vector<std::string> records = {
      "it's", "say \"hi\"", "a; DROP TABLE \"WLStore\"; --", std::string("nul\0inside", 10), "non-ASCII: ä€😀",
      "", std::string(1 << 20, 'z')};
  auto insert = db_->Prepare("INSERT INTO \"WLStore\" (ID, TYPE, HANDLE, RECORD) VALUES (?, ?, ?, ?)");
  ASSERT_TRUE(insert.ok()) << insert.status().ToString();
  for (size_t i = 0; i < records.size(); ++i) {
    (*insert)->Reset();
    (*insert)->BindInt64(1, static_cast<int64_t>(i));
    (*insert)->BindInt64(2, 1);
    (*insert)->BindInt64(3, int64_t{1} << 40 | static_cast<int64_t>(i));
    (*insert)->BindBytes(4, records[i]);
    ASSERT_TRUE((*insert)->Execute().ok()) << i;
  }
  ASSERT_TRUE(db_->Commit().ok());
  auto select = db_->Prepare("SELECT ID, HANDLE, RECORD FROM \"WLStore\" ORDER BY ID");
  ASSERT_TRUE(select.ok());
  ASSERT_TRUE((*select)->Execute().ok());
  for (size_t i = 0; i < records.size(); ++i) {
    auto row = (*select)->Fetch();
    ASSERT_TRUE(row.ok() && *row) << i;
    EXPECT_EQ(*(*select)->GetInt64(1), static_cast<int64_t>(i));
    EXPECT_EQ(*(*select)->GetInt64(2), int64_t{1} << 40 | static_cast<int64_t>(i));
    auto bytes = (*select)->GetBytes(3);
    ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
    EXPECT_EQ(*bytes, records[i]) << "record " << i;
  }
  auto end = (*select)->Fetch();
  ASSERT_TRUE(end.ok());
  EXPECT_FALSE(*end);
}

TEST(OdbcConnection, AnUnknownDriverIsAClearErrorWithoutThePassword) {
  auto db = OdbcConnection::Connect("Driver=NoSuchDriver;Database=x;Pwd=secret");
  ASSERT_FALSE(db.ok());
  EXPECT_NE(db.status().message().find("NoSuchDriver"), std::string::npos) << db.status().message();
  EXPECT_EQ(db.status().message().find("secret"), std::string::npos) << db.status().message();
}

TEST(OdbcConnection, ABracedPasswordIsHiddenWhole) {
  auto db = OdbcConnection::Connect("Driver=NoSuchDriver;Pwd={pa55;w0rd};Database=x");
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().message().find("pa55"), std::string::npos) << db.status().message();
  EXPECT_EQ(db.status().message().find("w0rd"), std::string::npos) << db.status().message();
  EXPECT_NE(db.status().message().find("Database=x"), std::string::npos) << db.status().message();
}

}  // namespace
}  // namespace hastore::jdbcstore
