#include "hastore/replicated/replicated_store.h"

#include <unistd.h>

#include <random>

#include "hastore/filestore/file_store.h"
#include "region_file_system.h"

namespace hastore {

namespace {

// Room a batch needs around one record (batch and record headers, padding to a block): the
// largest record is what still fits in one message with them.
constexpr uint64_t kFramingBytes = 1024;

std::string NewSession(const std::string& holder) {
  std::random_device random;
  return holder + " [pid " + std::to_string(::getpid()) + "/" + std::to_string(random()) + "]";
}

// The instance's daemons, connected (HELLO answered by one that serves).
Result<std::shared_ptr<replicated::DaemonClient>> ConnectDaemons(const StoreConfig& config,
                                                                 const ReplicatedStoreOptions& options) {
  HASTORE_RETURN_IF_ERROR(Validate(config));
  replicated::DaemonConfig loaded;
  if (options.daemons == nullptr) {
    Result<replicated::DaemonConfig> c = replicated::LoadDaemonConfig(config.replicated.daemons);
    if (!c.ok()) return c.status();
    loaded = std::move(*c);
  }
  auto client = std::make_shared<replicated::DaemonClient>(options.daemons != nullptr ? *options.daemons : loaded,
                                                           config.instance());
  HASTORE_RETURN_IF_ERROR(client->Connect());
  return client;
}

std::string LogDirectory(const StoreConfig& config) { return "rsd/" + config.instance(); }

}  // namespace

uint64_t ReplicatedMaxRecordSize(uint64_t max_message_bytes, uint64_t configured) {
  return std::min(configured, max_message_bytes > kFramingBytes ? max_message_bytes - kFramingBytes : 1);
}

Result<ReplicatedLog> OpenReplicatedLog(const StoreConfig& config, const ReplicatedStoreOptions& options) {
  Result<std::shared_ptr<replicated::DaemonClient>> client = ConnectDaemons(config, options);
  if (!client.ok()) return client.status();
  const std::string directory = LogDirectory(config);
  return ReplicatedLog{std::make_shared<replicated::RegionFileSystem>(std::move(*client), directory), directory};
}

Result<std::unique_ptr<Store>> OpenReplicatedStore(const StoreConfig& config, const Ownership& ownership,
                                                   const ReplicatedStoreOptions& options) {
  Result<std::shared_ptr<replicated::DaemonClient>> connected = ConnectDaemons(config, options);
  if (!connected.ok()) return connected.status();
  std::shared_ptr<replicated::DaemonClient> client = std::move(*connected);
  const replicated::DaemonConfig& daemons = client->config();

  StoreConfig log = config;  // the file store engine's view: one directory, regions as segments
  log.kind = StoreKind::kFile;
  log.file = FileStoreSettings{};
  log.file.directory = LogDirectory(config);
  log.file.sync_policy = SyncPolicy::kCacheFlush;  // a sync is a no-op: every write is in both daemons
  log.file.max_file_size = daemons.region_size;  // every daemon has it: Connect checks
  log.file.block_size = 512;
  log.file.io_engine = IoEngineChoice::kPwrite;
  const uint64_t message = client->max_message();
  log.max_record_size = ReplicatedMaxRecordSize(message, config.max_record_size);

  FileStoreOptions o;
  o.fs_owner = std::make_shared<replicated::RegionFileSystem>(client, log.file.directory);
  o.clock = options.clock;
  o.read_only = options.read_only;
  o.background_compaction = options.background_compaction;
  o.prewrite = false;
  o.record_limit = "the Maximum Message Size of " + std::to_string(message) + " bytes (" +
                   std::to_string(daemons.max_message_size_percent) + "% of Region Size " +
                   std::to_string(daemons.region_size) + "), less " + std::to_string(kFramingBytes) + " for framing:";
  // A single-server open (epoch 0) claims exclusively, where a file store takes its lock file.
  const bool exclusive = ownership.epoch == 0;
  o.claim = [client, exclusive](uint64_t epoch, const std::string& holder) {
    return client->Claim(epoch, NewSession(holder), exclusive);
  };
  return OpenFileStore(log, ownership, o);
}

}  // namespace hastore
