// The FileSystem (storage/io.h) a replicated store's log lives on: the files of one instance,
// held by its two replication daemons. The file store engine runs on it unchanged; what it
// calls a segment `U000007.DAT` is the region `U000007.RGN` on the daemons.
//
//   Open/create  CREATE on the daemons        Write   WRITE frames of at most the message limit
//   Read, Size   READ, SIZE                   Sync    nothing: a WRITE is answered once both
//   List         LIST                                  daemons hold it (two hosts' memory)
//   Remove/Rename REMOVE/RENAME               Lock    always taken: the claim is the lock (an
//                                                      exclusive CLAIM for a single-server open);
//                                                      released, the client lets go of the claim
//
// Paths are "<directory>/<name>" for the one directory the store was given; other directories
// (CreateDirs, SyncDir) need nothing.
//
// Thread safety: any thread.
#pragma once

#include <memory>
#include <string>

#include "daemon_client.h"
#include "hastore/storage/io.h"

namespace hastore::replicated {

class RegionFileSystem final : public FileSystem {
 public:
  RegionFileSystem(std::shared_ptr<DaemonClient> client, std::string directory);

  Result<std::unique_ptr<File>> Open(const std::string& path, const OpenOptions& options) override;
  Status SyncDir(const std::string&) override { return Status::Ok(); }
  Result<std::vector<std::string>> List(const std::string& dir) override;
  Status Rename(const std::string& from, const std::string& to) override;
  Status Remove(const std::string& path) override;
  Status CreateDirs(const std::string&) override { return Status::Ok(); }
  bool Exists(const std::string& path) override;
  Result<std::unique_ptr<FileLock>> Lock(const std::string& path, const std::string& holder) override;
  Result<uint32_t> BlockSize(const std::string&) override { return 512u; }

  // The daemon's name of a file the store names `name` (.DAT -> .RGN), and back.
  static std::string ToRegionName(const std::string& name);
  static std::string FromRegionName(const std::string& name);

 private:
  Result<std::string> NameOf(const std::string& path) const;

  std::shared_ptr<DaemonClient> client_;
  const std::string directory_;
};

}  // namespace hastore::replicated
