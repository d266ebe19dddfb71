// StoreConfig: the TOML reader and the rules a configuration must satisfy.
//
// Parsing and checking are separate steps: the reader only maps TOML keys onto the struct (and
// refuses unknown keys and wrong types, naming the line), then Validate() applies the range
// rules, so a config built in code passes exactly the same checks as one read from a file.
#include "hastore/storage/config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <functional>
#include <optional>
#include <span>

#include "hastore/storage/io.h"
#include "hastore/storage/store_config_toml.h"
#include "hastore/storage/toml_reader.h"

namespace hastore {

namespace {

constexpr uint64_t kMiB = 1ull << 20;
constexpr uint64_t kMaxRecordSizeLimit = 1ull << 30;
constexpr uint64_t kMaxFileSizeLimit = 4294967295ull;

constexpr std::pair<SyncPolicy, std::string_view> kSyncPolicyNames[] = {
    {SyncPolicy::kDirectWrite, "Direct-Write"},
    {SyncPolicy::kDirectWriteWithCache, "Direct-Write-With-Cache"},
    {SyncPolicy::kCacheFlush, "Cache-Flush"},
    {SyncPolicy::kDisabled, "Disabled"},
};

constexpr std::pair<IoEngineChoice, std::string_view> kIoEngineNames[] = {
    {IoEngineChoice::kAuto, "auto"},
    {IoEngineChoice::kIoUring, "io_uring"},
    {IoEngineChoice::kPwrite, "pwrite"},
};

template <class E, size_t N>
std::string_view NameOf(const std::pair<E, std::string_view> (&names)[N], E value) {
  for (const auto& [e, name] : names) {
    if (e == value) return name;
  }
  return "unknown";
}

// The value whose name is `text` (compared by `same`), or nullopt.
template <class E, size_t N, class Same = std::equal_to<>>
std::optional<E> ValueOf(const std::pair<E, std::string_view> (&names)[N], std::string_view text, Same same = {}) {
  for (const auto& [e, name] : names) {
    if (same(text, name)) return e;
  }
  return std::nullopt;
}

// "a, b, c": the names, for an error that lists the valid ones.
template <class E, size_t N>
std::string NameList(const std::pair<E, std::string_view> (&names)[N]) {
  std::string out;
  for (const auto& [e, name] : names) out += (out.empty() ? "" : ", ") + std::string(name);
  return out;
}

// Policy spellings compare case-insensitively, with '_' standing for '-'.
std::string FoldPolicyName(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c == '_') c = '-';
  }
  return out;
}

constexpr std::pair<StoreKind, std::string_view> kStoreKindNames[] = {
    {StoreKind::kFile, "file"},
    {StoreKind::kJdbc, "jdbc"},
    {StoreKind::kReplicated, "replicated"},
};

constexpr std::pair<JdbcDatabase, std::string_view> kJdbcDatabaseNames[] = {
    {JdbcDatabase::kAuto, "auto"},
    {JdbcDatabase::kSqlite, "sqlite"},
    {JdbcDatabase::kPostgresql, "postgresql"},
    {JdbcDatabase::kMariadb, "mariadb"},
};

// ---- Validate ---------------------------------------------------------------------------------

// `status` with the key it concerns in front of its message.
Status ForKey(std::string_view key, const Status& status) {
  if (status.ok()) return status;
  return Status(status.code(), std::string(key) + ": " + status.message());
}

template <class T>
Status CheckRange(std::string_view key, T value, bool in_range, std::string_view expected) {
  if (in_range) return Status::Ok();
  return Status::InvalidArgument(std::string(key) + " = " + std::to_string(value) +
                                 " is out of range; expected " + std::string(expected));
}

Status Required(std::string_view key, const std::string& value, std::string_view when) {
  if (!value.empty()) return Status::Ok();
  return Status::InvalidArgument(std::string(key) + " is required" + std::string(when));
}

bool IsPowerOfTwo(int64_t v) { return v > 0 && (v & (v - 1)) == 0; }

Status ValidateStoreSection(const StoreConfig& c) {
  HASTORE_RETURN_IF_ERROR(Required("store.name", c.name, ""));
  HASTORE_RETURN_IF_ERROR(ForKey("store.name", ValidateName("store name", c.name)));
  if (c.distribution == Distribution::kDistributed) {
    HASTORE_RETURN_IF_ERROR(
        Required("store.server", c.server, " when store.distribution is \"distributed\""));
  }
  if (!c.server.empty())
    HASTORE_RETURN_IF_ERROR(ForKey("store.server", ValidateName("server name", c.server)));
  HASTORE_RETURN_IF_ERROR(ForKey("store.prefix", ValidatePrefix(c.prefix)));
  return CheckRange("store.max_record_size", c.max_record_size, c.max_record_size <= kMaxRecordSizeLimit,
                    "0 to 1073741824 (1 GiB)");
}

Status ValidateJdbcSection(const JdbcStoreSettings& j) {
  if (j.connection.empty()) {
    HASTORE_RETURN_IF_ERROR(Required("jdbc.directory", j.directory, " when jdbc.connection is empty (embedded SQLite)"));
    if (!j.password_file.empty())
      return Status::InvalidArgument("jdbc.password_file: only with jdbc.connection (an embedded SQLite database has no password)");
  }
  if (j.password_file.find('}') != std::string::npos)
    return Status::InvalidArgument("jdbc.password_file: a path with '}' is not supported: " + j.password_file);
  for (auto [key, value] : {std::pair<std::string_view, uint32_t>{"jdbc.inserts_per_batch_maximum", j.inserts_per_batch_maximum},
                            {"jdbc.deletes_per_batch_maximum", j.deletes_per_batch_maximum},
                            {"jdbc.deletes_per_statement_maximum", j.deletes_per_statement_maximum}}) {
    HASTORE_RETURN_IF_ERROR(CheckRange(key, value, value >= 1 && value <= 1000, "1 to 1000"));
  }
  HASTORE_RETURN_IF_ERROR(CheckRange("jdbc.worker_count", j.worker_count, j.worker_count <= 64, "0 (auto) to 64"));
  HASTORE_RETURN_IF_ERROR(CheckRange("jdbc.reconnect_retry_period", j.reconnect_retry_period_ms,
                                     j.reconnect_retry_period_ms <= 3600000, "0 to 3600000 (ms)"));
  return CheckRange("jdbc.reconnect_retry_interval", j.reconnect_retry_interval_ms,
                    j.reconnect_retry_interval_ms >= 1 && j.reconnect_retry_interval_ms <= 60000, "1 to 60000 (ms)");
}

Status ValidateFileSection(const FileStoreSettings& f) {
  HASTORE_RETURN_IF_ERROR(Required("file.directory", f.directory, " for store.kind \"file\""));
  HASTORE_RETURN_IF_ERROR(CheckRange("file.max_file_size", f.max_file_size,
                                     f.max_file_size >= kMiB && f.max_file_size <= kMaxFileSizeLimit,
                                     "1048576 (1 MiB) to 4294967295"));
  HASTORE_RETURN_IF_ERROR(CheckRange("file.initial_size", f.initial_size, f.initial_size <= f.max_file_size,
                                     "0 to file.max_file_size (" + std::to_string(f.max_file_size) + ")"));
  HASTORE_RETURN_IF_ERROR(CheckRange(
      "file.block_size", f.block_size,
      f.block_size == -1 || (IsPowerOfTwo(f.block_size) && f.block_size >= 512 && f.block_size <= 8192),
      "-1 or a power of two from 512 to 8192"));
  HASTORE_RETURN_IF_ERROR(CheckRange(
      "file.io_buffer_size", f.io_buffer_size,
      f.io_buffer_size == -1 || (f.io_buffer_size >= 4096 && f.io_buffer_size <= int64_t{256} << 20),
      "-1 or 4096 to 268435456 (256 MiB)"));
  return CheckRange("file.compaction_rate", f.compaction_rate,
                    f.compaction_rate == 0 || f.compaction_rate >= kMiB,
                    "0 (unlimited) or at least 1048576 (1 MiB)");
}

// ---- TOML reader ------------------------------------------------------------------------------

Status WrongType(const toml::node& node, std::string_view expected) {
  return Status::InvalidArgument("expected " + std::string(expected) + ", got " + TomlReader::TypeName(node));
}

// A TOML value of exactly type T (no conversion: 1.0 is not an integer, "1" is not a number).
template <class T>
Status ReadValue(const toml::node& node, std::string_view expected, T* out) {
  const toml::value<T>* v = node.as<T>();
  if (v == nullptr) return WrongType(node, expected);
  *out = v->get();
  return Status::Ok();
}

Status ReadString(const toml::node& node, std::string* out) { return ReadValue(node, "a string", out); }
Status ReadBool(const toml::node& node, bool* out) { return ReadValue(node, "a boolean", out); }
Status ReadInt(const toml::node& node, int64_t* out) { return ReadValue(node, "an integer", out); }

Status ReadUint(const toml::node& node, uint64_t* out) {
  int64_t v = 0;
  HASTORE_RETURN_IF_ERROR(ReadInt(node, &v));
  if (v < 0)
    return Status::InvalidArgument(std::to_string(v) + " is out of range; expected a non-negative integer");
  *out = static_cast<uint64_t>(v);
  return Status::Ok();
}

Status ReadUint32(const toml::node& node, uint32_t* out) {
  uint64_t v = 0;
  HASTORE_RETURN_IF_ERROR(ReadUint(node, &v));
  if (v > UINT32_MAX) return Status::InvalidArgument(std::to_string(v) + " is out of range; expected at most 4294967295");
  *out = static_cast<uint32_t>(v);
  return Status::Ok();
}

template <class E>
Status ReadEnum(const toml::node& node, Result<E> (*parse)(std::string_view), E* out) {
  std::string text;
  HASTORE_RETURN_IF_ERROR(ReadString(node, &text));
  Result<E> value = parse(text);
  if (!value.ok()) return value.status();
  *out = *value;
  return Status::Ok();
}

// One TOML key and where it lands in the struct.
struct Field {
  std::string_view name;
  Status (*read)(const toml::node&, StoreConfig&);
};

using N = const toml::node&;
using C = StoreConfig&;

constexpr Field kStoreFields[] = {
    {"name", [](N n, C c) { return ReadString(n, &c.name); }},
    {"kind", [](N n, C c) { return ReadEnum(n, ParseStoreKind, &c.kind); }},
    {"server", [](N n, C c) { return ReadString(n, &c.server); }},
    {"distribution", [](N n, C c) { return ReadEnum(n, ParseDistribution, &c.distribution); }},
    {"prefix", [](N n, C c) { return ReadString(n, &c.prefix); }},
    {"max_record_size", [](N n, C c) { return ReadUint(n, &c.max_record_size); }},
};

constexpr Field kFileFields[] = {
    {"directory", [](N n, C c) { return ReadString(n, &c.file.directory); }},
    {"synchronous_write_policy", [](N n, C c) { return ReadEnum(n, ParseSyncPolicy, &c.file.sync_policy); }},
    {"max_file_size", [](N n, C c) { return ReadUint(n, &c.file.max_file_size); }},
    {"initial_size", [](N n, C c) { return ReadUint(n, &c.file.initial_size); }},
    {"block_size", [](N n, C c) { return ReadInt(n, &c.file.block_size); }},
    {"io_buffer_size", [](N n, C c) { return ReadInt(n, &c.file.io_buffer_size); }},
    {"file_locking_enabled", [](N n, C c) { return ReadBool(n, &c.file.file_locking_enabled); }},
    {"cache_directory", [](N n, C c) { return ReadString(n, &c.file.cache_directory); }},
    {"io_engine", [](N n, C c) { return ReadEnum(n, ParseIoEngine, &c.file.io_engine); }},
    {"compaction_rate", [](N n, C c) { return ReadUint(n, &c.file.compaction_rate); }},
};

constexpr Field kJdbcFields[] = {
    {"connection", [](N n, C c) { return ReadString(n, &c.jdbc.connection); }},
    {"directory", [](N n, C c) { return ReadString(n, &c.jdbc.directory); }},
    {"database", [](N n, C c) { return ReadEnum(n, ParseJdbcDatabase, &c.jdbc.database); }},
    {"create_table_ddl_file", [](N n, C c) { return ReadString(n, &c.jdbc.create_table_ddl_file); }},
    {"password_file", [](N n, C c) { return ReadString(n, &c.jdbc.password_file); }},
    {"inserts_per_batch_maximum", [](N n, C c) { return ReadUint32(n, &c.jdbc.inserts_per_batch_maximum); }},
    {"deletes_per_batch_maximum", [](N n, C c) { return ReadUint32(n, &c.jdbc.deletes_per_batch_maximum); }},
    {"deletes_per_statement_maximum", [](N n, C c) { return ReadUint32(n, &c.jdbc.deletes_per_statement_maximum); }},
    {"worker_count", [](N n, C c) { return ReadUint32(n, &c.jdbc.worker_count); }},
    {"reconnect_retry_period", [](N n, C c) { return ReadUint(n, &c.jdbc.reconnect_retry_period_ms); }},
    {"reconnect_retry_interval", [](N n, C c) { return ReadUint(n, &c.jdbc.reconnect_retry_interval_ms); }},
};

struct Section {
  std::string_view name;
  std::span<const Field> fields;
};

constexpr Field kReplicatedFields[] = {
    {"daemons", [](N n, C c) { return ReadString(n, &c.replicated.daemons); }},
};

constexpr Section kSections[] = {
    {"store", kStoreFields}, {"file", kFileFields}, {"jdbc", kJdbcFields}, {"replicated", kReplicatedFields}};
// [store], whose keys sit right under a store's table in a larger document; the sections after
// it are that table's sub-tables.
constexpr const Section& kStoreSection = kSections[0];
constexpr std::span<const Section> kSubTableSections = std::span<const Section>(kSections).subspan(1);

template <class T>
const T* FindByName(std::span<const T> items, std::string_view name) {
  for (const T& item : items) {
    if (item.name == name) return &item;
  }
  return nullptr;
}

// "<source>:<line>:<column>: <message>".
constexpr auto At = TomlError;

// `prefix` is what the section's keys are called in errors: "file", or "stores.orders.file".
Status ReadSection(std::string_view source, const Section& section, const toml::table& table,
                   StoreConfig& c, std::string_view prefix) {
  for (const auto& [key, node] : table) {
    const std::string dotted = std::string(prefix) + "." + std::string(key.str());
    const Field* field = FindByName(section.fields, key.str());
    if (field == nullptr) return At(source, key.source(), "unknown key '" + dotted + "'");
    Status s = field->read(node, c);
    if (!s.ok()) return At(source, node.source(), dotted + ": " + s.message());
  }
  return Status::Ok();
}

Status ReadRoot(std::string_view source, const toml::table& root, StoreConfig& c) {
  for (const auto& [key, node] : root) {
    const Section* section = FindByName(std::span<const Section>(kSections), key.str());
    const std::string name(key.str());
    if (section == nullptr)
      return At(source, key.source(), "unknown table [" + name + "]; valid are [store], [file], [jdbc] and [replicated]");
    if (!node.is_table())
      return At(source, node.source(), name + ": " + WrongType(node, "a table").message());
    HASTORE_RETURN_IF_ERROR(ReadSection(source, *section, *node.as_table(), c, section->name));
  }
  return Status::Ok();
}

}  // namespace

Result<IoEngineChoice> ParseIoEngine(std::string_view text) {
  if (auto engine = ValueOf(kIoEngineNames, text)) return *engine;
  return Status::InvalidArgument("unknown I/O engine '" + std::string(text) + "'; valid are " + NameList(kIoEngineNames));
}

std::string_view ToString(StoreKind k) { return NameOf(kStoreKindNames, k); }

Result<StoreKind> ParseStoreKind(std::string_view text) {
  if (auto kind = ValueOf(kStoreKindNames, text)) return *kind;
  return Status::InvalidArgument("store kind '" + std::string(text) +
                                 "' is not supported; valid are " + NameList(kStoreKindNames));
}

std::string_view ToString(JdbcDatabase d) { return NameOf(kJdbcDatabaseNames, d); }

Result<JdbcDatabase> ParseJdbcDatabase(std::string_view text) {
  if (auto db = ValueOf(kJdbcDatabaseNames, text)) return *db;
  return Status::InvalidArgument("unknown database '" + std::string(text) + "'; valid are " + NameList(kJdbcDatabaseNames));
}

std::string EmbeddedSqliteConnection(const std::string& database_file) {
  // WAL with synchronous FULL: every commit is durable, and readers do not block the writer.
  return "Driver=SQLite3;Database=" + database_file + ";JournalMode=WAL;SyncPragma=FULL";
}

std::string JdbcStoreSettings::EffectiveConnection() const {
  if (!connection.empty() && !password_file.empty()) return connection + ";PwdFile={" + password_file + "}";
  if (!connection.empty()) return connection;
  return EmbeddedSqliteConnection(EmbeddedDatabasePath());
}

std::string JdbcStoreSettings::EmbeddedDatabasePath() const { return directory + "/hastore.db"; }

std::string StoreConfig::table() const {
  Result<std::string> name = TableName(prefix, distribution, this->name, server);
  return name.ok() ? *name : std::string();
}

std::string_view ToString(SyncPolicy p) { return NameOf(kSyncPolicyNames, p); }

Result<SyncPolicy> ParseSyncPolicy(std::string_view text) {
  const auto same = [](std::string_view a, std::string_view b) { return FoldPolicyName(a) == FoldPolicyName(b); };
  if (auto policy = ValueOf(kSyncPolicyNames, text, same)) return *policy;
  return Status::InvalidArgument("unknown synchronous write policy '" + std::string(text) + "'; valid are " +
                                 NameList(kSyncPolicyNames));
}

std::string_view ToString(IoEngineChoice e) { return NameOf(kIoEngineNames, e); }

std::string StoreConfig::instance() const {
  Result<std::string> name = InstanceName(this->name, server, distribution);
  return name.ok() ? *name : std::string();
}

Status Validate(const StoreConfig& config) {
  HASTORE_RETURN_IF_ERROR(ValidateStoreSection(config));
  switch (config.kind) {
    case StoreKind::kFile: return ValidateFileSection(config.file);
    case StoreKind::kJdbc: return ValidateJdbcSection(config.jdbc);
    case StoreKind::kReplicated: return Required("replicated.daemons", config.replicated.daemons, " (the daemons' configuration file)");
  }
  return Status::InvalidArgument("store.kind is not a kind of store");
}

Result<StoreConfig> ParseStoreConfig(std::string_view toml_text, std::string_view source) {
  Result<toml::table> parsed = ParseTomlDocument(toml_text, source);
  if (!parsed.ok()) return parsed.status();
  const toml::table& root = *parsed;
  StoreConfig config;
  HASTORE_RETURN_IF_ERROR(ReadRoot(source, root, config));
  Status s = Validate(config);
  if (!s.ok()) return Status(s.code(), std::string(source) + ": " + s.message());
  return config;
}

Result<StoreConfig> LoadStoreConfig(const std::string& path) {
  Result<std::string> text = ReadTextFile(path);
  if (!text.ok()) return text.status();
  return ParseStoreConfig(*text, path);
}

Result<StoreConfig> ParseStoreConfigAt(std::string_view toml_text, std::string_view source, std::string_view path,
                                       std::span<const std::string_view> caller_keys) {
  Result<toml::table> parsed = ParseTomlDocument(toml_text, source);
  if (!parsed.ok()) return parsed.status();
  const toml::table* table = parsed->at_path(path).as_table();
  if (table == nullptr) return Status::InvalidArgument(std::string(source) + ": no table [" + std::string(path) + "]");
  return ParseStoreConfigAt(*table, source, path, caller_keys);
}

Result<StoreConfig> ParseStoreConfigAt(const toml::table& table, std::string_view source, std::string_view path,
                                       std::span<const std::string_view> caller_keys) {
  StoreConfig config;
  config.name = std::string(path.substr(path.rfind('.') + 1));
  for (const auto& [key, node] : table) {
    const std::string dotted = std::string(path) + "." + std::string(key.str());
    if (std::find(caller_keys.begin(), caller_keys.end(), key.str()) != caller_keys.end()) continue;
    if (const Section* section = FindByName(kSubTableSections, key.str())) {
      if (!node.is_table()) return At(source, node.source(), dotted + ": " + WrongType(node, "a table").message());
      HASTORE_RETURN_IF_ERROR(ReadSection(source, *section, *node.as_table(), config, dotted));
      continue;
    }
    const Field* field = key.str() == "name" ? nullptr : FindByName(kStoreSection.fields, key.str());
    if (field == nullptr) return At(source, key.source(), "unknown key '" + dotted + "'");
    Status s = field->read(node, config);
    if (!s.ok()) return At(source, node.source(), dotted + ": " + s.message());
  }
  return config;
}

Status RenameStoreKeys(const Status& status, std::string_view path) {
  if (status.ok()) return status;
  const std::string& m = status.message();
  for (const Section& section : kSections) {
    const std::string lead = std::string(section.name) + ".";
    if (m.rfind(lead, 0) != 0) continue;
    // [store]'s keys sit right under `path`; a sub-table's keys keep its name.
    const std::string renamed = std::string(path) + "." + (&section == &kStoreSection ? std::string() : lead);
    return Status(status.code(), renamed + m.substr(lead.size()));
  }
  return status;
}

Result<std::string> ReadTextFile(const std::string& path) {
  OpenOptions options;
  options.read_only = true;
  Result<std::unique_ptr<File>> file = FileSystem::Default()->Open(path, options);
  if (!file.ok()) return file.status();
  // Read until a read returns nothing: the size the file system reports is no guide for
  // /proc and /sys files, which say 0 and still have content.
  constexpr size_t kChunk = 4096;
  std::string text;
  for (;;) {
    const size_t at = text.size();
    text.resize(at + kChunk);
    size_t got = 0;
    HASTORE_RETURN_IF_ERROR((*file)->Read(at, text.data() + at, kChunk, &got));
    text.resize(at + got);
    if (got == 0) return text;
  }
}

}  // namespace hastore
