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

}  // namespace

uint64_t ReplicatedMaxRecordSize(uint64_t max_message_bytes, uint64_t configured) {
  return std::min(configured, max_message_bytes > kFramingBytes ? max_message_bytes - kFramingBytes : 1);
}

Result<std::unique_ptr<Store>> OpenReplicatedStore(const StoreConfig& config, const Ownership& ownership,
                                                   const ReplicatedStoreOptions& options) {
  HASTORE_RETURN_IF_ERROR(Validate(config));
  replicated::DaemonConfig loaded;
  if (options.daemons == nullptr) {
    Result<replicated::DaemonConfig> c = replicated::LoadDaemonConfig(config.replicated.daemons);
    if (!c.ok()) return c.status();
    loaded = std::move(*c);
  }
  const replicated::DaemonConfig& daemons = options.daemons != nullptr ? *options.daemons : loaded;
  const std::string instance = config.instance();
  auto client = std::make_shared<replicated::DaemonClient>(daemons, instance);
  HASTORE_RETURN_IF_ERROR(client->Connect());

  StoreConfig log = config;  // the file store engine's view: one directory, regions as segments
  log.kind = StoreKind::kFile;
  log.file = FileStoreSettings{};
  log.file.directory = "rsd/" + instance;
  log.file.sync_policy = SyncPolicy::kCacheFlush;  // a sync is a no-op: every write is in both daemons
  log.file.max_file_size = client->region_size();
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
  o.claim = [client](uint64_t epoch, const std::string& holder) { return client->Claim(epoch, NewSession(holder)); };
  return OpenFileStore(log, ownership, o);
}

}  // namespace hastore
