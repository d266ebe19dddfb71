// A directory made fresh by mkdtemp and removed, with everything in it, when destroyed.
// Each bench row writes into its own, so no row sees another's files and the disk holds one
// row's data at a time.
#pragma once

#include <memory>
#include <string>

#include "hastore/storage/status.h"

namespace hastore::bench {

class ScratchDir {
 public:
  // Makes <parent>/<prefix>.XXXXXX; parent must exist.
  static Result<std::unique_ptr<ScratchDir>> Make(const std::string& parent, const std::string& prefix);
  // $TMPDIR, or /tmp when it is unset or empty.
  static std::string TempRoot();

  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::string& path() const { return path_; }

 private:
  explicit ScratchDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

// Where a run puts its files: the directory the user gave (made if missing, kept after), or a
// new temporary one removed with the WorkDir.
struct WorkDir {
  std::unique_ptr<ScratchDir> temp;
  std::string path;
};
Result<WorkDir> OpenWorkDir(const std::string& given, const std::string& temp_prefix);

// Writes back everything dirty on the file system that holds dir (syncfs), so that a row does
// not pay for the writeback of what earlier rows, or other processes, left in the page cache.
Status FlushFileSystem(const std::string& dir);

}  // namespace hastore::bench
