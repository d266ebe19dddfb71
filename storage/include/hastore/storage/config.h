// Store configuration, read from TOML.
//
//   [store]
//   name = "orders"                # DESIGN §4 name rules
//   kind = "file"
//   server = "ms1"                 # needed for distribution = "distributed"
//   distribution = "none"          # none | distributed | singleton
//   prefix = ""                    # JDBC table prefix
//   max_record_size = 67108864     # bytes
//
//   [file]
//   directory = "/var/lib/hastore"
//   synchronous_write_policy = "Direct-Write"   # Direct-Write | Direct-Write-With-Cache | Cache-Flush | Disabled
//   max_file_size = 1342177280
//   initial_size = 0
//   block_size = -1                # -1: the device's logical block
//   io_buffer_size = -1            # most bytes one group-commit batch gathers; -1: 4 MiB
//   file_locking_enabled = true    # a second single-server opener fails; a lease epoch takes over anyway
//   cache_directory = ""           # Direct-Write-With-Cache; "" = the store's directory
//   io_engine = "auto"             # auto (= pwrite) | io_uring | pwrite
//   compaction_rate = 67108864     # bytes per second copied by online compaction, 0 = unlimited
//
//   [jdbc]                         # store.kind = "jdbc": a WLStore table reached through ODBC
//   connection = ""                # ODBC connection string; "" = embedded SQLite in jdbc.directory
//   directory = ""                 # where the embedded SQLite database (hastore.db) lives
//   database = "auto"              # auto (from the driver) | sqlite | postgresql | mariadb
//   create_table_ddl_file = ""     # a DDL file used instead of the shipped one (${TABLE} placeholder)
//   inserts_per_batch_maximum = 20     # rows per INSERT statement
//   deletes_per_batch_maximum = 20     # DELETE statements per database call (array binding)
//   deletes_per_statement_maximum = 20 # IDs in one DELETE's IN list
//   worker_count = 0               # parallel connections that commit groups; 0: 1 on SQLite, 2 on a server
//   reconnect_retry_period = 1000  # ms spent reconnecting after the database went away
//   reconnect_retry_interval = 200 # ms between attempts
//
//   [replicated]                   # store.kind = "replicated": .RGN regions in two replication daemons
//   daemons = "/etc/hastore/rsd.toml"  # the daemons' configuration (hastore rsd reads the same file)
//
// Unknown keys, wrong types and out-of-range values are errors that name the key ("file.max_file_size").
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "hastore/storage/names.h"
#include "hastore/storage/status.h"

namespace hastore {

enum class StoreKind : uint8_t { kFile, kJdbc, kReplicated };
std::string_view ToString(StoreKind k);
Result<StoreKind> ParseStoreKind(std::string_view text);  // "file", "jdbc" or "replicated"

enum class SyncPolicy : uint8_t {
  kDirectWrite,           // O_DIRECT aligned writes + data sync per group commit (default)
  kDirectWriteWithCache,  // Direct-Write, plus a buffered cache copy used for reads and boot
  kCacheFlush,            // buffered writes + fdatasync per group commit
  kDisabled,              // buffered writes, no sync: survives a process crash, not an OS crash
};
std::string_view ToString(SyncPolicy p);  // "Direct-Write", ...
Result<SyncPolicy> ParseSyncPolicy(std::string_view text);
inline bool IsDurable(SyncPolicy p) { return p != SyncPolicy::kDisabled; }

enum class IoEngineChoice : uint8_t { kAuto, kIoUring, kPwrite };
std::string_view ToString(IoEngineChoice e);
// "auto", "io_uring" or "pwrite".
Result<IoEngineChoice> ParseIoEngine(std::string_view text);

struct FileStoreSettings {
  std::string directory;
  SyncPolicy sync_policy = SyncPolicy::kDirectWrite;
  uint64_t max_file_size = 1342177280;
  uint64_t initial_size = 0;
  int64_t block_size = -1;
  int64_t io_buffer_size = -1;
  bool file_locking_enabled = true;
  std::string cache_directory;
  IoEngineChoice io_engine = IoEngineChoice::kAuto;
  uint64_t compaction_rate = 64ull << 20;
};

// Which shipped DDL (and which SQL for the owner-row lock) a JDBC store uses.
enum class JdbcDatabase : uint8_t { kAuto, kSqlite, kPostgresql, kMariadb };
std::string_view ToString(JdbcDatabase d);  // "auto", "sqlite", "postgresql", "mariadb"
Result<JdbcDatabase> ParseJdbcDatabase(std::string_view text);

struct JdbcStoreSettings {
  std::string connection;
  std::string directory;
  JdbcDatabase database = JdbcDatabase::kAuto;
  std::string create_table_ddl_file;
  uint32_t inserts_per_batch_maximum = 20;
  uint32_t deletes_per_batch_maximum = 20;
  uint32_t deletes_per_statement_maximum = 20;
  uint32_t worker_count = 0;  // 0: 1 on SQLite (one writer at a time), 2 on PostgreSQL and MariaDB
  uint64_t reconnect_retry_period_ms = 1000;
  uint64_t reconnect_retry_interval_ms = 200;
  // A file holding the database password (mode 600; one trailing newline dropped), so that
  // `connection` need not carry Pwd=. It becomes PwdFile={path} in EffectiveConnection, which
  // the ODBC layer replaces by the password just before it connects (jdbcstore's
  // connection_string.h, also for HASTORE_JDBC_PASSWORD).
  std::string password_file;

  // The connection string in use: `connection` (with PwdFile= when password_file is set), or
  // the embedded SQLite database in `directory`.
  std::string EffectiveConnection() const;
  // The embedded SQLite database's file (used when `connection` is empty).
  std::string EmbeddedDatabasePath() const;
};

// The connection string of an embedded SQLite database in `database_file`: WAL with synchronous
// FULL, so every commit is durable and readers do not block the writer.
std::string EmbeddedSqliteConnection(const std::string& database_file);

struct ReplicatedStoreSettings {
  // The replication daemons' configuration file (replicated/daemon_config.h), the same file
  // `hastore rsd` reads. Region Size and the message limit come from it.
  std::string daemons;
};

struct StoreConfig {
  std::string name;
  StoreKind kind = StoreKind::kFile;
  std::string server;
  Distribution distribution = Distribution::kNone;
  std::string prefix;
  uint64_t max_record_size = 64ull << 20;
  FileStoreSettings file;  // kind "file"
  JdbcStoreSettings jdbc;  // kind "jdbc"
  ReplicatedStoreSettings replicated;  // kind "replicated"

  // The instance name (DESIGN §4). Valid once Validate() passed.
  std::string instance() const;
  // The WLStore table of a JDBC store (DESIGN §4). Valid once Validate() passed.
  std::string table() const;
};

// Checks every field; the error names the key.
Status Validate(const StoreConfig& config);

// `source` names the text in errors (a file path).
Result<StoreConfig> ParseStoreConfig(std::string_view toml_text, std::string_view source = "<config>");
Result<StoreConfig> LoadStoreConfig(const std::string& path);

// A store inside a larger TOML document (a cluster configuration's [stores.orders]): the table
// at the dotted `path` holds [store]'s keys, and sub-tables `file` and `jdbc`; `name` is the
// last part of the path. Keys in `caller_keys` belong to the caller and are skipped. Not
// validated (the caller completes it first); errors name the full key ("stores.orders.kind").
// A caller holding the parsed document has an overload in store_config_toml.h.
Result<StoreConfig> ParseStoreConfigAt(std::string_view toml_text, std::string_view source, std::string_view path,
                                       std::span<const std::string_view> caller_keys);
// A Validate error of a store read by ParseStoreConfigAt, its key renamed under `path`
// ("store.prefix: ..." -> "stores.orders.prefix: ...", "file.x" -> "stores.orders.file.x").
Status RenameStoreKeys(const Status& status, std::string_view path);

// The whole of a small text file (a configuration, a /proc file), through the default file
// system, read until a read returns nothing: /proc and /sys files report a size of 0.
Result<std::string> ReadTextFile(const std::string& path);

}  // namespace hastore
