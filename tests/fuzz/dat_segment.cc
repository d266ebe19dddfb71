// A file store's directory as it comes from disk: the input is the instance's .DAT segment
// files as they are (numbers 0, 1, ... separated by kSplit; seeds written by the file store
// itself), put through verify, repair and a read-only open (store_directory.h).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "store_directory.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  hastore::FaultFileSystem fs;
  hastore::fuzz::PutSegmentFiles(fs, std::string_view(reinterpret_cast<const char*>(data), size));
  hastore::fuzz::VerifyAndRepair(fs);
  return 0;
}
