// The fence file (filestore/src/fence_file.h): two slots, each an epoch and a holder under a
// checksum, read from disk by every open. Invariants: the epoch read is one a slot holds, and a
// newer epoch written over any content is the one read back (the fence never goes backwards).
#include <cstddef>
#include <cstdint>
#include <string>

#include "fence_file.h"
#include "hastore/internal/check.h"
#include "hastore/storage/fault_fs.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hastore;
  FaultFileSystem fs;
  HASTORE_CHECK(fs.CreateDirs("/d").ok(), "in-memory directory");
  {
    Result<std::unique_ptr<File>> f = fs.Open("/d/F.FENCE", OpenOptions{.create = true});
    HASTORE_CHECK(f.ok() && (*f)->Write(0, data, size).ok(), "in-memory fence file");
  }
  Result<std::unique_ptr<filestore::FenceFile>> fence = filestore::FenceFile::Open(&fs, "/d/F.FENCE", true);
  HASTORE_CHECK(fence.ok(), fence.status().ToString());
  Result<filestore::FenceFile::Contents> read = (*fence)->Read();
  if (!read.ok()) return 0;
  HASTORE_CHECK(read->holder.size() <= 256, "holder of " + std::to_string(read->holder.size()) + " bytes");
  HASTORE_CHECK(!read->damaged || read->epoch == 0, "a damaged fence with an epoch");
  if (read->epoch == UINT64_MAX) return 0;  // no newer epoch exists
  const uint64_t next = read->epoch + 1;
  const std::string holder = "next " + read->holder;
  HASTORE_CHECK((*fence)->Write(next, holder).ok(), "writing the next epoch");
  Result<filestore::FenceFile::Contents> after = (*fence)->Read();
  HASTORE_CHECK(after.ok() && after->epoch == next && !after->damaged,
                "epoch " + std::to_string(next) + " written over epoch " + std::to_string(read->epoch) + " reads back as " +
                    (after.ok() ? std::to_string(after->epoch) : after.status().ToString()));
  HASTORE_CHECK(after->holder == holder.substr(0, 256), "holder '" + after->holder + "' read back");
  return 0;
}
