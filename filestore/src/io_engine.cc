#include "io_engine.h"

namespace hastore::filestore {

Result<std::unique_ptr<IoEngine>> ChooseIoEngine(IoEngineChoice choice, FileSystem* fs) {
  if (choice != IoEngineChoice::kIoUring) return MakePwriteEngine();
  if (fs != FileSystem::Default()) return Status::NotSupported("io_uring needs the POSIX file system (file.io_engine)");
  return MakeUringEngine();
}

}  // namespace hastore::filestore
