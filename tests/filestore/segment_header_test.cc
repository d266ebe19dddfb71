// Segment headers as read from disk (filestore/src/format.h, FORMAT.md "Segment header"), and
// the epochs a store takes from its fence: bytes from disk are errors, never a crash.
#include <gtest/gtest.h>

#include <cstdint>

#include "fence_file.h"
#include "format.h"
#include "hastore/filestore/file_store.h"
#include "hastore/filestore/inspect.h"
#include "hastore/storage/names.h"
#include "hastore/storage/fault_fs.h"

namespace hastore::filestore {
namespace {

Status DecodeWithBlockSize(uint32_t block_size) {
  SegmentHeader h;
  h.block_size = block_size;
  h.file_number = 1;
  h.instance = "orders";
  char bytes[kSegmentHeaderSize];
  EncodeSegmentHeader(h, bytes);
  SegmentHeader out;
  return DecodeSegmentHeader(bytes, sizeof bytes, &out);
}

// Every reader aligns and steps by the block size: 0 divided by zero, and a block size the
// format does not allow is damage (found while writing the fuzz targets).
TEST(SegmentHeader, BlockSizesOutsideTheFormatAreDamage) {
  for (uint32_t bad : {0u, 1u, 256u, 768u, 16384u, 0x80000000u}) {
    Status s = DecodeWithBlockSize(bad);
    EXPECT_EQ(s.code(), StatusCode::kCorruption) << bad << ": " << s.ToString();
    EXPECT_NE(s.message().find("block size"), std::string::npos) << s.message();
  }
  for (uint32_t good : {512u, 1024u, 4096u, 8192u}) EXPECT_TRUE(DecodeWithBlockSize(good).ok()) << good;
}

// A fence holding the last epoch cannot be followed: the next owner's epoch would wrap to 0
// (single-server mode) and go backwards. The open refuses it instead.
TEST(FenceEpoch, TheLastEpochIsRefusedNotWrapped) {
  FaultFileSystem fs;
  ASSERT_TRUE(fs.CreateDirs("/s").ok());
  Result<std::unique_ptr<FenceFile>> fence = FenceFile::Open(&fs, "/s/ORDERS.FENCE", true);
  ASSERT_TRUE(fence.ok()) << fence.status().ToString();
  ASSERT_TRUE((*fence)->Write(UINT64_MAX, "a hostile fence").ok());
  StoreConfig config;
  config.name = "orders";
  config.file.directory = "/s";
  Result<std::unique_ptr<Store>> store = OpenFileStore(config, Ownership{}, FileStoreOptions{.fs = &fs});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kCorruption) << store.status().ToString();
  EXPECT_NE(store.status().message().find("ORDERS.FENCE"), std::string::npos) << store.status().message();
}

// Two segments whose headers each name the other as the segment before them (or one naming
// itself): recovery walked the chain forever. Damage instead, naming the segment.
TEST(SegmentChain, AHeaderNamingANewerPredecessorIsDamage) {
  for (const auto& [first_prev, second_prev] : {std::pair<uint32_t, uint32_t>{1, 0}, {kNoFile, 1}}) {
    FaultFileSystem fs;
    ASSERT_TRUE(fs.CreateDirs("/s").ok());
    for (uint32_t number : {0u, 1u}) {
      SegmentHeader h;
      h.block_size = 512;
      h.file_number = number;
      h.epoch = 1;
      h.first_seq = 1;
      h.prev_file = number == 0 ? first_prev : second_prev;
      h.instance = "orders";
      std::string bytes(512, '\0');
      EncodeSegmentHeader(h, bytes.data());
      Result<std::unique_ptr<File>> f = fs.Open("/s/" + *DatFileName("orders", number), OpenOptions{.create = true});
      ASSERT_TRUE(f.ok() && (*f)->Write(0, bytes.data(), bytes.size()).ok());
    }
    Result<FileStoreInspection> inspection = InspectFileStore("/s", "orders", &fs);
    ASSERT_TRUE(inspection.ok()) << inspection.status().ToString();
    EXPECT_EQ(inspection->damage.code(), StatusCode::kCorruption) << inspection->damage.ToString();
    EXPECT_NE(inspection->damage.message().find("as the one before it"), std::string::npos) << inspection->damage.message();
  }
}

}  // namespace
}  // namespace hastore::filestore
