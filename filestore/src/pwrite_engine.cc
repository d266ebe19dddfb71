#include "io_engine.h"

namespace hastore::filestore {
namespace {

class PwriteEngine final : public IoEngine {
 public:
  const char* name() const override { return "pwrite"; }
  Status WriteBatch(File* file, const char* buf, size_t len, uint64_t offset, bool sync) override {
    HASTORE_RETURN_IF_ERROR(file->Write(offset, buf, len));
    return sync ? file->Sync() : Status::Ok();
  }
};

}  // namespace

std::unique_ptr<IoEngine> MakePwriteEngine() { return std::make_unique<PwriteEngine>(); }

}  // namespace hastore::filestore
