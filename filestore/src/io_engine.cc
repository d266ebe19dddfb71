#include "io_engine.h"

namespace hastore::filestore {

Result<std::unique_ptr<IoEngine>> ChooseIoEngine(IoEngineChoice choice, FileSystem* fs, std::string* why_not) {
  why_not->clear();
  if (choice == IoEngineChoice::kPwrite) return MakePwriteEngine();
  if (fs != FileSystem::Default()) {
    if (choice == IoEngineChoice::kIoUring) {
      return Status::NotSupported("io_uring needs the POSIX file system (file.io_engine)");
    }
    return MakePwriteEngine();
  }
  auto uring = MakeUringEngine();
  if (uring.ok() || choice == IoEngineChoice::kIoUring) return uring;
  *why_not = uring.status().message();
  return MakePwriteEngine();
}

}  // namespace hastore::filestore
