// What a JDBC store must not trust, on SQLite and PostgreSQL (jdbcstore/FORMAT.md, DESIGN §4,
// §6): connection names and record bytes that look like SQL travel as data and come back
// exactly; a table name that needs quoting works; a user's DDL file is the one that makes the
// table, and a wrong one is refused naming the column; rows that break FORMAT.md make the open
// fail as corruption naming the table and the ID.
#include <gtest/gtest.h>
#include <unistd.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/whole_file.h"
#include "jdbcstore/test_table.h"

namespace hastore::testing {
namespace {

using jdbcstore::OdbcConnection;

class HostileInputTest : public ::testing::TestWithParam<TestDatabase> {
 protected:
  const char* BinaryType() const { return GetParam() == TestDatabase::kSqlite ? "BLOB" : "BYTEA"; }
};

std::string AllByteValues() {
  std::string out;
  for (int i = 0; i < 256; ++i) out += static_cast<char>(i);
  return out;
}

// Inserts one row with our own connection, around the store.
Status PlantRow(const TestTable& table, int64_t id, int64_t type, int64_t handle, const std::string& record) {
  auto db = table.Connect();
  if (!db.ok()) return db.status();
  auto insert = (*db)->Prepare("INSERT INTO " + table.quoted() + " (ID, TYPE, HANDLE, RECORD) VALUES (?, ?, ?, ?)");
  if (!insert.ok()) return insert.status();
  (*insert)->BindInt64(1, id);
  (*insert)->BindInt64(2, type);
  (*insert)->BindInt64(3, handle);
  (*insert)->BindBytes(4, record);
  Status s = (*insert)->Execute();
  insert->reset();  // a statement goes before its connection
  if (!s.ok()) {
    (void)(*db)->Rollback();
    return s;
  }
  return (*db)->Commit();
}

TEST_P(HostileInputTest, NamesAndBytesThatLookLikeSqlRoundTripExactly) {
  TestTable table(GetParam(), "hostile");
  const std::vector<std::string> names = {
      "it's",
      "say \"hi\"",
      "a;b",
      "x -- y",
      "'); DROP TABLE x; --",
      "\"); DROP TABLE " + table.quoted() + "; --",
      "naïve ☃ 日本語 😀",
      "$1 ? :name %s \\x00 \\",
  };
  const std::vector<std::string> records = {
      "",
      "'",
      "\"",
      ";",
      "--",
      std::string("\0", 1),
      std::string("a\0b\0\0c", 6),
      "ä€😀 日本語",
      "'); DROP TABLE x; --",
      "\"); DROP TABLE " + table.quoted() + "; --",
      "\\x41424344",  // bytea's hex input syntax, as text: must stay these 10 bytes
      "\\\\ \\000 E'\\n'",
      AllByteValues(),
      std::string(1000, '\0'),
  };

  auto store = table.Open();
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ASSERT_EQ((*store)->OpenConnection(std::string("nul\0inside", 10)).status().code(), StatusCode::kInvalidArgument)
      << "a connection name with NUL is not UTF-8 text a table can hold";

  std::map<std::string, std::map<Handle, std::string>> expected;  // connection name -> records
  for (const std::string& name : names) {
    auto conn = (*store)->OpenConnection(name);
    ASSERT_TRUE(conn.ok()) << name << ": " << conn.status().ToString();
    std::vector<Handle> handles;
    ASSERT_TRUE(CommitCreates(**store, *conn, records, &handles).ok()) << name;
    for (size_t i = 0; i < records.size(); ++i) expected[name][handles[i]] = records[i];
  }
  // An update carries hostile bytes too.
  {
    auto& recs = expected[names[4]];
    const Handle h = recs.begin()->first;
    const std::string update = "'; UPDATE x SET y = 1; --" + std::string(1, '\0') + "tail";
    Transaction txn = (*store)->Begin();
    ASSERT_TRUE(txn.Update(h, update).ok());
    recs[h] = update;
    ASSERT_TRUE((*store)->Commit(std::move(txn)).ok());
  }

  auto check = [&](const Store& s, const char* when) {
    std::set<std::string> listed;
    for (const Connection& c : s.Connections()) {
      listed.insert(c.name);
      auto it = expected.find(c.name);
      ASSERT_NE(it, expected.end()) << when << ": unexpected connection '" << c.name << "'";
      EXPECT_EQ(ScanAll(s, c), it->second) << when << ": scan of '" << c.name << "'";
      for (const auto& [h, data] : it->second) {
        auto read = s.Read(h);
        ASSERT_TRUE(read.ok()) << when << ": " << read.status().ToString();
        EXPECT_EQ(*read, data) << when << ": read of handle " << h << " in '" << c.name << "'";
      }
    }
    EXPECT_EQ(listed.size(), names.size()) << when << ": every connection, once";
  };
  check(**store, "before the reopen");
  ASSERT_TRUE((*store)->Close().ok());

  store = table.Open();
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  check(**store, "after the reopen");
  ASSERT_TRUE((*store)->Close().ok());
  auto reader = table.OpenReadOnly();
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  check(**reader, "read-only");
}

TEST_P(HostileInputTest, AServerNameWithADashMakesATableThatWorks) {
  TestTable table(GetParam(), "dash");
  table.config().distribution = Distribution::kDistributed;
  table.config().server = "ms-1";
  ASSERT_EQ(table.table(), table.config().prefix + "_ms-1_WLStore");
  auto store = table.Open();
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ(StatsDetail(**store, "table"), table.table());
  auto conn = (*store)->OpenConnection("c");
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  std::vector<Handle> handles;
  ASSERT_TRUE(CommitCreates(**store, *conn, {"dashed"}, &handles).ok());
  ASSERT_TRUE((*store)->Close().ok());

  store = table.Open();
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto read = (*store)->Read(handles[0]);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(*read, "dashed");
  ASSERT_TRUE((*store)->Close().ok());

  // The rows are in the table of that exact name: the owner, the connection and the record.
  auto db = table.Connect();
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  auto count = (*db)->Prepare("SELECT COUNT(*) FROM " + table.quoted());
  ASSERT_TRUE(count.ok()) << count.status().ToString();
  ASSERT_TRUE((*count)->Execute().ok());
  auto row = (*count)->Fetch();
  ASSERT_TRUE(row.ok() && *row);
  auto n = (*count)->GetInt64(1);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 3);
}

// A prefix ending in '.' names a schema (names.tsv: "myPrefix." gives "myPrefix._myServer_WLStore"):
// the table goes into that schema, quoted part by part, so its case is kept.
TEST_P(HostileInputTest, APrefixEndingInADotPutsTheTableInThatSchema) {
  const bool postgres = GetParam() == TestDatabase::kPostgresql;
  TestTable table(GetParam(), "schema");  // its prefix is replaced below
  const std::string schema = postgres ? "Qual" + std::to_string(::getpid()) : "main";
  auto db = table.Connect();
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  if (postgres) {
    ASSERT_TRUE((*db)->ExecuteDirect("CREATE SCHEMA \"" + schema + "\"", "making the schema").ok());
    ASSERT_TRUE((*db)->Commit().ok());
  }
  table.config().prefix = schema + ".";
  table.config().distribution = Distribution::kDistributed;
  table.config().server = "ms1";
  ASSERT_EQ(table.table(), schema + "._ms1_WLStore");
  Handle handle = 0;
  {
    auto store = table.Open();
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto conn = (*store)->OpenConnection("c");
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    std::vector<Handle> handles;
    ASSERT_TRUE(CommitCreates(**store, *conn, {"in the schema"}, &handles).ok());
    handle = handles[0];
    ASSERT_TRUE((*store)->Close().ok());
  }
  auto store = table.Open();
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto read = (*store)->Read(handle);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(*read, "in the schema");
  ASSERT_TRUE((*store)->Close().ok());
  if (postgres) {
    auto found = (*db)->Prepare("SELECT count(*) FROM pg_tables WHERE schemaname = '" + schema +
                                "' AND tablename = '_ms1_WLStore'");
    ASSERT_TRUE(found.ok()) << found.status().ToString();
    auto n = (*found)->ExecuteScalar();
    ASSERT_TRUE(n.ok()) << n.status().ToString();
    EXPECT_EQ(n->value_or(0), 1) << "no table _ms1_WLStore in schema " << schema;
    (void)(*db)->Rollback();
    EXPECT_TRUE((*db)->ExecuteDirect("DROP SCHEMA \"" + schema + "\" CASCADE", "dropping the schema").ok());
    EXPECT_TRUE((*db)->Commit().ok());
  }
}

TEST_P(HostileInputTest, AUserDdlFileMakesTheTable) {
  // The user's DDL adds a CHECK that the shipped one does not have: harmless to the store
  // (it writes types 0, 1, 2 only), and visible from outside, since a row of type 7 is refused.
  TestTable table(GetParam(), "ddl");
  const std::string ddl = table.dir() + "/my.ddl";
  ASSERT_TRUE(WriteWholeFile(ddl, std::string("-- site DDL\nCREATE TABLE ${TABLE} (\n  ID BIGINT NOT NULL PRIMARY KEY,\n") +
                                      "  TYPE INTEGER NOT NULL CHECK (TYPE IN (0, 1, 2)),\n  HANDLE BIGINT NOT NULL,\n" +
                                      "  RECORD " + BinaryType() + " NOT NULL\n)\n"))
      << ddl;
  table.config().jdbc.create_table_ddl_file = ddl;
  Status populated = table.Populate("under the site's DDL");
  ASSERT_TRUE(populated.ok()) << populated.ToString();
  Status planted = PlantRow(table, 987654300, 7, 1, "x");
  EXPECT_FALSE(planted.ok()) << "the table was not made from the user's DDL file (its CHECK is missing)";

  // The probe tells the two apart: a table from the shipped DDL takes the row.
  TestTable shipped(GetParam(), "ddlshipped");
  populated = shipped.Populate("under the shipped DDL");
  ASSERT_TRUE(populated.ok()) << populated.ToString();
  planted = PlantRow(shipped, 987654300, 7, 1, "x");
  EXPECT_TRUE(planted.ok()) << planted.ToString();
}

TEST_P(HostileInputTest, AUserDdlFileWithOtherColumnsIsRefusedNamingTheColumn) {
  TestTable wrong(GetParam(), "ddlwrong");
  const std::string path = wrong.dir() + "/wrong.ddl";
  ASSERT_TRUE(WriteWholeFile(path, std::string("CREATE TABLE ${TABLE} (ID BIGINT NOT NULL PRIMARY KEY, ") +
                                       "TYPE INTEGER NOT NULL, HANDLE BIGINT NOT NULL, PAYLOAD " + BinaryType() +
                                       " NOT NULL)"))
      << path;
  wrong.config().jdbc.create_table_ddl_file = path;
  auto store = wrong.Open();
  ASSERT_FALSE(store.ok()) << "opened a table without a RECORD column";
  EXPECT_EQ(store.status().code(), StatusCode::kInvalidArgument) << store.status().ToString();
  EXPECT_NE(store.status().message().find(wrong.table()), std::string::npos) << store.status().message();
  EXPECT_NE(store.status().message().find("RECORD"), std::string::npos) << store.status().message();

  TestTable extra(GetParam(), "ddlextra");
  const std::string extra_path = extra.dir() + "/extra.ddl";
  ASSERT_TRUE(WriteWholeFile(extra_path, std::string("CREATE TABLE ${TABLE} (ID BIGINT NOT NULL PRIMARY KEY, ") +
                                             "TYPE INTEGER NOT NULL, HANDLE BIGINT NOT NULL, RECORD " + BinaryType() +
                                             " NOT NULL, NOTE_X INTEGER)"))
      << extra_path;
  extra.config().jdbc.create_table_ddl_file = extra_path;
  store = extra.Open();
  ASSERT_FALSE(store.ok()) << "opened a table with a fifth column";
  EXPECT_EQ(store.status().code(), StatusCode::kInvalidArgument) << store.status().ToString();
  EXPECT_NE(store.status().message().find("NOTE_X"), std::string::npos) << store.status().message();

  TestTable missing(GetParam(), "ddlmissing");
  missing.config().jdbc.create_table_ddl_file = missing.dir() + "/no-such.ddl";
  store = missing.Open();
  ASSERT_FALSE(store.ok()) << "opened with a DDL file that does not exist";
  EXPECT_NE(store.status().message().find("no-such.ddl"), std::string::npos) << store.status().message();
}

struct BadRow {
  const char* what;
  int64_t id, type, handle;
  std::string record;
};

TEST_P(HostileInputTest, RowsThatBreakTheFormatFailTheOpenNamingTableAndId) {
  // The IDs have nine digits, so they cannot hide in the table name (which holds the pid).
  const std::vector<BadRow> rows = {
      {"a record whose connection has no row", 987654321, 1, 99, "orphan"},
      {"a row of an unknown type", 987654322, 5, 1, "?"},
      {"an owner row that is not ID 0", 987654323, 0, 1, "holder=x\nhandle_limit=1\n"},
      {"a negative ID that is a record", -987654324, 1, 1, "r"},
      {"a connection row whose ID is not -HANDLE", -987654325, 2, 7, "name"},
      {"a connection row whose name is not UTF-8", -77, 2, 77, "\xff\xfe"},
  };
  for (const BadRow& bad : rows) {
    SCOPED_TRACE(bad.what);
    TestTable table(GetParam(), "corrupt");
    Status populated = table.Populate("fine");
    ASSERT_TRUE(populated.ok()) << populated.ToString();
    Status planted = PlantRow(table, bad.id, bad.type, bad.handle, bad.record);
    ASSERT_TRUE(planted.ok()) << planted.ToString();

    for (bool read_only : {false, true}) {
      auto opened = read_only ? table.OpenReadOnly() : table.Open();
      ASSERT_FALSE(opened.ok()) << (read_only ? "read-only " : "") << "open accepted " << bad.what;
      EXPECT_EQ(opened.status().code(), StatusCode::kCorruption) << opened.status().ToString();
      EXPECT_NE(opened.status().message().find(table.table()), std::string::npos)
          << "names the table: " << opened.status().message();
      EXPECT_NE(opened.status().message().find(std::to_string(bad.id)), std::string::npos)
          << "names the ID " << bad.id << ": " << opened.status().message();
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Databases, HostileInputTest, ::testing::ValuesIn(kBothDatabases), DatabaseName);

}  // namespace
}  // namespace hastore::testing
