// StoreConfig: the TOML layout of config.h, its defaults, and an error naming the key for every
// bad input.
#include "hastore/storage/config.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

namespace hastore {
namespace {

constexpr char kSource[] = "orders.toml";

// A minimal valid config with extra lines in each table.
std::string Config(const std::string& store_lines, const std::string& file_lines = "",
                   const std::string& name_line = "name = \"orders\"") {
  return "[store]\n" + name_line + "\n" + store_lines + "\n[file]\ndirectory = \"/var/lib/hastore\"\n" +
         file_lines + "\n";
}

Result<StoreConfig> Parse(const std::string& text) { return ParseStoreConfig(text, kSource); }

void ExpectError(const std::string& text, std::string_view needle) {
  SCOPED_TRACE(text);
  Result<StoreConfig> r = Parse(text);
  ASSERT_FALSE(r.ok());
  const std::string& m = r.status().message();
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << m;
  EXPECT_NE(m.find(needle), std::string::npos) << "'" << needle << "' not in: " << m;
  EXPECT_NE(m.find(kSource), std::string::npos) << "source not in: " << m;
}

void ExpectOk(const std::string& text) {
  Result<StoreConfig> r = Parse(text);
  EXPECT_TRUE(r.ok()) << text << "\n" << r.status().ToString();
}

TEST(ParseStoreConfig, ReadsEveryField) {
  Result<StoreConfig> r = Parse(R"(
[store]
name = "orders"
kind = "file"
server = "ms1"
distribution = "distributed"
prefix = "cat.schema."
max_record_size = 1048576

[file]
directory = "/data/orders"
synchronous_write_policy = "Direct-Write-With-Cache"
max_file_size = 2097152
initial_size = 1048576
block_size = 4096
io_buffer_size = 65536
file_locking_enabled = false
cache_directory = "/cache"
io_engine = "pwrite"
compaction_rate = 0
)");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const StoreConfig& c = *r;
  EXPECT_EQ(c.name, "orders");
  EXPECT_EQ(c.kind, StoreKind::kFile);
  EXPECT_EQ(c.server, "ms1");
  EXPECT_EQ(c.distribution, Distribution::kDistributed);
  EXPECT_EQ(c.prefix, "cat.schema.");
  EXPECT_EQ(c.max_record_size, 1048576u);
  EXPECT_EQ(c.instance(), "orders@ms1");
  EXPECT_EQ(c.file.directory, "/data/orders");
  EXPECT_EQ(c.file.sync_policy, SyncPolicy::kDirectWriteWithCache);
  EXPECT_EQ(c.file.max_file_size, 2097152u);
  EXPECT_EQ(c.file.initial_size, 1048576u);
  EXPECT_EQ(c.file.block_size, 4096);
  EXPECT_EQ(c.file.io_buffer_size, 65536);
  EXPECT_FALSE(c.file.file_locking_enabled);
  EXPECT_EQ(c.file.cache_directory, "/cache");
  EXPECT_EQ(c.file.io_engine, IoEngineChoice::kPwrite);
  EXPECT_EQ(c.file.compaction_rate, 0u);
}

TEST(ParseStoreConfig, DefaultsForAbsentKeys) {
  Result<StoreConfig> r = Parse(Config(""));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const StoreConfig& c = *r;
  EXPECT_EQ(c.kind, StoreKind::kFile);
  EXPECT_EQ(c.distribution, Distribution::kNone);
  EXPECT_EQ(c.instance(), "orders");
  EXPECT_EQ(c.prefix, "");
  EXPECT_EQ(c.max_record_size, 64u << 20);
  EXPECT_EQ(c.file.sync_policy, SyncPolicy::kDirectWrite);
  EXPECT_EQ(c.file.max_file_size, 1342177280u);
  EXPECT_EQ(c.file.initial_size, 0u);
  EXPECT_EQ(c.file.block_size, -1);
  EXPECT_EQ(c.file.io_buffer_size, -1);
  EXPECT_TRUE(c.file.file_locking_enabled);
  EXPECT_EQ(c.file.cache_directory, "");
  EXPECT_EQ(c.file.io_engine, IoEngineChoice::kAuto);
  EXPECT_EQ(c.file.compaction_rate, 64u << 20);
}

TEST(ParseStoreConfig, UnknownTablesAndKeysNameTheKey) {
  ExpectError(Config("colour = \"red\""), "unknown key 'store.colour'");
  ExpectError(Config("", "max_filesize = 5"), "unknown key 'file.max_filesize'");
  ExpectError(Config("", "[file.extra]\nx = 1"), "unknown key 'file.extra'");
  ExpectError(Config("[store.sub]\nx = 1"), "unknown key 'store.sub'");
  ExpectError(Config("") + "[replication]\nport = 1\n", "unknown table [replication]");
  ExpectError("store = 5\n", "store: expected a table, got integer");
}

TEST(ParseStoreConfig, WrongTypesNameTheKey) {
  ExpectError(Config("", "", "name = 5"), "store.name: expected a string, got integer");
  ExpectError(Config("max_record_size = \"big\""), "store.max_record_size: expected an integer, got string");
  ExpectError(Config("", "block_size = 1.5"), "file.block_size: expected an integer, got floating-point");
  ExpectError(Config("", "file_locking_enabled = \"yes\""), "file.file_locking_enabled: expected a boolean");
  ExpectError(Config("", "io_engine = 1"), "file.io_engine: expected a string");
}

struct RangeCase {
  std::string store_lines;
  std::string file_lines;
  std::string key;
};

TEST(ParseStoreConfig, OutOfRangeValuesNameTheKey) {
  const RangeCase bad[] = {
      {"max_record_size = 1073741825", "", "store.max_record_size"},
      {"max_record_size = -1", "", "store.max_record_size"},
      {"", "max_file_size = 1048575", "file.max_file_size"},
      {"", "max_file_size = 4294967296", "file.max_file_size"},
      {"", "max_file_size = -5", "file.max_file_size"},
      {"", "initial_size = 1342177281", "file.initial_size"},
      {"", "max_file_size = 2097152\ninitial_size = 2097153", "file.initial_size"},
      {"", "block_size = 256", "file.block_size"},
      {"", "block_size = 1000", "file.block_size"},
      {"", "block_size = 16384", "file.block_size"},
      {"", "block_size = 0", "file.block_size"},
      {"", "block_size = -2", "file.block_size"},
      {"", "io_buffer_size = 4095", "file.io_buffer_size"},
      {"", "io_buffer_size = 268435457", "file.io_buffer_size"},
      {"", "io_buffer_size = 0", "file.io_buffer_size"},
      {"", "compaction_rate = 1", "file.compaction_rate"},
      {"", "compaction_rate = 1048575", "file.compaction_rate"},
  };
  for (const RangeCase& c : bad) ExpectError(Config(c.store_lines, c.file_lines), c.key);
}

TEST(ParseStoreConfig, BoundaryValuesAreAccepted) {
  const char* ok[] = {
      "max_file_size = 1048576",   "max_file_size = 4294967295", "initial_size = 1342177280",
      "block_size = -1",           "block_size = 512",           "block_size = 8192",
      "io_buffer_size = -1",       "io_buffer_size = 4096",      "io_buffer_size = 268435456",
      "compaction_rate = 1048576", "io_engine = \"io_uring\"",   "io_engine = \"auto\"",
  };
  for (const char* line : ok) ExpectOk(Config("", line));
  ExpectOk(Config("max_record_size = 1073741824"));
  ExpectOk(Config("max_record_size = 0"));
}

TEST(ParseStoreConfig, BadNamesAndChoicesNameTheKey) {
  ExpectError("[file]\ndirectory = \"/d\"\n", "store.name is required");
  ExpectError(Config("", "", "name = \"my store\""), "store.name: store name 'my store'");
  ExpectError("[store]\nname = \"orders\"\n", "file.directory is required");
  ExpectError(Config("distribution = \"distributed\""), "store.server is required");
  ExpectError(Config("distribution = \"cluster\""), "store.distribution: unknown distribution 'cluster'");
  ExpectError(Config("distribution = \"distributed\"\nserver = \"a/b\""), "store.server: server name 'a/b'");
  ExpectError(Config("prefix = \"a..b\""), "store.prefix: prefix 'a..b'");
  ExpectError(Config("kind = \"jdbc\""), "jdbc.directory is required when jdbc.connection is empty");
  ExpectError(Config("kind = \"replicated\""), "replicated.daemons is required");
  ExpectError(Config("kind = \"replicated-x\""), "store.kind: store kind 'replicated-x' is not supported; valid are");
  ExpectError(Config("", "io_engine = \"aio\""), "file.io_engine: unknown I/O engine 'aio'");
  ExpectError(
      Config("", "synchronous_write_policy = \"Fast\""),
      "file.synchronous_write_policy: unknown synchronous write policy 'Fast'; valid are Direct-Write, "
      "Direct-Write-With-Cache, Cache-Flush, Disabled");
}

TEST(ParseStoreConfig, ReadsTheJdbcSection) {
  Result<StoreConfig> r = Parse(
      "[store]\nname = \"orders\"\nkind = \"jdbc\"\ndistribution = \"distributed\"\nserver = \"ms-1\"\n"
      "prefix = \"app.\"\n[jdbc]\nconnection = \"Driver=PostgreSQL Unicode;Server=127.0.0.1\"\n"
      "database = \"postgresql\"\ncreate_table_ddl_file = \"/etc/my.ddl\"\ninserts_per_batch_maximum = 50\n"
      "deletes_per_batch_maximum = 40\ndeletes_per_statement_maximum = 10\nworker_count = 4\n"
      "reconnect_retry_period = 5000\nreconnect_retry_interval = 100\n");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->kind, StoreKind::kJdbc);
  EXPECT_EQ(r->jdbc.EffectiveConnection(), "Driver=PostgreSQL Unicode;Server=127.0.0.1");
  EXPECT_EQ(r->jdbc.database, JdbcDatabase::kPostgresql);
  EXPECT_EQ(r->jdbc.create_table_ddl_file, "/etc/my.ddl");
  EXPECT_EQ(r->jdbc.inserts_per_batch_maximum, 50u);
  EXPECT_EQ(r->jdbc.deletes_per_batch_maximum, 40u);
  EXPECT_EQ(r->jdbc.deletes_per_statement_maximum, 10u);
  EXPECT_EQ(r->jdbc.worker_count, 4u);
  EXPECT_EQ(r->jdbc.reconnect_retry_period_ms, 5000u);
  EXPECT_EQ(r->jdbc.reconnect_retry_interval_ms, 100u);
  EXPECT_EQ(r->table(), "app._ms-1_WLStore");

  // Defaults: the reference system's batch sizes and reconnection timing, embedded SQLite.
  Result<StoreConfig> d = Parse("[store]\nname = \"orders\"\nkind = \"jdbc\"\n[jdbc]\ndirectory = \"/data\"\n");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->jdbc.inserts_per_batch_maximum, 20u);
  EXPECT_EQ(d->jdbc.deletes_per_batch_maximum, 20u);
  EXPECT_EQ(d->jdbc.deletes_per_statement_maximum, 20u);
  EXPECT_EQ(d->jdbc.worker_count, 0u) << "auto";
  EXPECT_EQ(d->jdbc.reconnect_retry_period_ms, 1000u);
  EXPECT_EQ(d->jdbc.reconnect_retry_interval_ms, 200u);
  EXPECT_EQ(d->jdbc.database, JdbcDatabase::kAuto);
  EXPECT_EQ(d->jdbc.EffectiveConnection().rfind("Driver=SQLite3;Database=/data/hastore.db;", 0), 0u);
  EXPECT_EQ(d->table(), "WLStore");

  const std::string jdbc = "[store]\nname = \"orders\"\nkind = \"jdbc\"\n[jdbc]\ndirectory = \"/d\"\n";
  ExpectError(jdbc + "worker_count = 65\n", "jdbc.worker_count = 65 is out of range");
  ExpectError(jdbc + "inserts_per_batch_maximum = 1001\n", "jdbc.inserts_per_batch_maximum = 1001 is out of range");
  ExpectError(jdbc + "deletes_per_statement_maximum = 0\n", "jdbc.deletes_per_statement_maximum");
  ExpectError(jdbc + "reconnect_retry_interval = 0\n", "jdbc.reconnect_retry_interval");
  ExpectError(jdbc + "database = \"oracle\"\n", "jdbc.database: unknown database 'oracle'");
  ExpectError(jdbc + "pool = 3\n", "unknown key 'jdbc.pool'");
}

TEST(ParseStoreConfig, SyntaxErrorsNameTheSourceAndLine) {
  ExpectError("[store\nname = \"orders\"\n", "orders.toml:1:");
  ExpectError("[store]\nname = \"orders\"\nname = \"again\"\n", "orders.toml:3:");
  ExpectError("[store]\nname = orders\n", "TOML syntax error");
}

TEST(SyncPolicy, EverySpelling) {
  const std::pair<const char*, SyncPolicy> spellings[] = {
      {"Direct-Write", SyncPolicy::kDirectWrite},
      {"direct-write", SyncPolicy::kDirectWrite},
      {"DIRECT_WRITE", SyncPolicy::kDirectWrite},
      {"Direct-Write-With-Cache", SyncPolicy::kDirectWriteWithCache},
      {"direct_write_with_cache", SyncPolicy::kDirectWriteWithCache},
      {"Direct_Write-With_Cache", SyncPolicy::kDirectWriteWithCache},
      {"Cache-Flush", SyncPolicy::kCacheFlush},
      {"cache_flush", SyncPolicy::kCacheFlush},
      {"Disabled", SyncPolicy::kDisabled},
      {"DISABLED", SyncPolicy::kDisabled},
  };
  for (const auto& [text, policy] : spellings) {
    Result<SyncPolicy> parsed = ParseSyncPolicy(text);
    ASSERT_TRUE(parsed.ok()) << text << ": " << parsed.status().ToString();
    EXPECT_EQ(*parsed, policy) << text;
    Result<StoreConfig> r = Parse(Config("", std::string("synchronous_write_policy = \"") + text + "\""));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->file.sync_policy, policy) << text;
  }
  for (const char* bad : {"", "DirectWrite", "Direct Write", "Direct-Write-"}) {
    EXPECT_FALSE(ParseSyncPolicy(bad).ok()) << bad;
  }
}

TEST(SyncPolicy, NamesRoundTrip) {
  for (SyncPolicy p : {SyncPolicy::kDirectWrite, SyncPolicy::kDirectWriteWithCache, SyncPolicy::kCacheFlush,
                       SyncPolicy::kDisabled}) {
    EXPECT_EQ(ParseSyncPolicy(ToString(p)).value(), p);
  }
  EXPECT_EQ(ToString(SyncPolicy::kDirectWriteWithCache), "Direct-Write-With-Cache");
  EXPECT_FALSE(IsDurable(SyncPolicy::kDisabled));
  EXPECT_TRUE(IsDurable(SyncPolicy::kCacheFlush));
}

TEST(ToString, KindsAndEngines) {
  EXPECT_EQ(ToString(StoreKind::kFile), "file");
  EXPECT_EQ(ToString(IoEngineChoice::kAuto), "auto");
  EXPECT_EQ(ToString(IoEngineChoice::kIoUring), "io_uring");
  EXPECT_EQ(ToString(IoEngineChoice::kPwrite), "pwrite");
}

TEST(Validate, AppliesTheSameRulesToAConfigBuiltInCode) {
  StoreConfig c;
  c.name = "orders";
  c.file.directory = "/d";
  EXPECT_TRUE(Validate(c).ok()) << Validate(c).ToString();

  StoreConfig bad = c;
  bad.file.block_size = 100;
  EXPECT_NE(Validate(bad).message().find("file.block_size"), std::string::npos);
  bad = c;
  bad.distribution = Distribution::kSingleton;
  EXPECT_TRUE(Validate(bad).ok());
  EXPECT_EQ(bad.instance(), "orders-01");
  bad.name = "a.b";
  EXPECT_NE(Validate(bad).message().find("store.name"), std::string::npos);
  EXPECT_EQ(bad.instance(), "");
}

TEST(LoadStoreConfig, ReadsAFileAndNamesItInErrors) {
  const std::string path = testing::TempDir() + "config_test_load.toml";
  {
    std::ofstream out(path);
    out << Config("", "block_size = 100");
  }
  Result<StoreConfig> r = LoadStoreConfig(path);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(path + ": file.block_size"), std::string::npos)
      << r.status().ToString();
  {
    std::ofstream out(path);
    out << Config("");
  }
  r = LoadStoreConfig(path);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->name, "orders");
  std::remove(path.c_str());

  Result<StoreConfig> missing = LoadStoreConfig(path + ".missing");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find(path + ".missing"), std::string::npos);
}

}  // namespace
}  // namespace hastore
