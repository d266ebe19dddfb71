// Direct-Write-With-Cache boot (DESIGN §5: the cache is "used to speed up reads and boot when
// valid"): an open reads each segment from its mirror under WLStoreCache/ as far as the mirror
// holds valid batches of that very segment, then from the primary, and keeps the mirror
// brought level with the log. A mirror that is behind, torn or of another segment never
// changes what the store recovers.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "common/temp_dir.h"
#include "common/whole_file.h"
#include "hastore/filestore/file_store.h"
#include "hastore/storage/names.h"

namespace hastore::testing {
namespace {

namespace fs = std::filesystem;

// Damages the file in place: flips `mask` in the first byte of the first place `marker` appears.
::testing::AssertionResult Damage(const fs::path& path, std::string_view marker, char mask) {
  std::string bytes = ReadWholeFile(path);
  const size_t at = bytes.find(marker);
  if (at == std::string::npos) return ::testing::AssertionFailure() << marker << " is not in " << path;
  bytes[at] = static_cast<char>(bytes[at] ^ mask);
  if (!WriteWholeFile(path, bytes)) return ::testing::AssertionFailure() << "cannot write " << path;
  return ::testing::AssertionSuccess();
}

class CacheBootTest : public ::testing::Test {
 protected:
  CacheBootTest() {
    config_.name = "cached";
    config_.file.directory = dir_.path();
    config_.file.sync_policy = SyncPolicy::kDirectWriteWithCache;
  }

  std::unique_ptr<Store> Open(SyncPolicy policy = SyncPolicy::kDirectWriteWithCache) {
    StoreConfig c = config_;
    c.file.sync_policy = policy;
    auto store = OpenFileStore(c, Ownership{0, "cache boot test"}, FileStoreOptions{.background_compaction = false});
    last_open_ = store.status();
    return store.ok() ? std::move(store).value() : nullptr;
  }

  // Two hundred records in the first segment, each in its own batch, then an open that seals
  // it (only sealed segments are read from their mirrors).
  void Fill() {
    FillHead();
    auto store = Open();
    ASSERT_TRUE(store) << last_open_.ToString();
    ASSERT_TRUE(store->Close().ok());
    ASSERT_TRUE(fs::exists(mirror_)) << "the mirror of the former head was not kept";
  }

  // The same records, left in the head segment.
  void FillHead() {
    auto store = Open();
    ASSERT_TRUE(store) << last_open_.ToString();
    auto conn = store->OpenConnection("c");
    ASSERT_TRUE(conn.ok());
    for (int i = 0; i < 200; ++i) {
      Transaction txn = store->Begin();
      const std::string data = "record " + std::to_string(i) + std::string(500, static_cast<char>('a' + i % 26));
      auto h = txn.Create(*conn, data);
      ASSERT_TRUE(h.ok());
      ASSERT_TRUE(store->Commit(std::move(txn)).ok());
      expected_[*h] = data;
    }
    ASSERT_TRUE(store->Close().ok());
    primary_ = fs::path(dir_.path()) / *DatFileName(config_.instance(), 0);
    mirror_ = fs::path(dir_.path()) / *CacheFileName(config_.instance(), 0);
    ASSERT_TRUE(fs::exists(primary_));
    ASSERT_TRUE(fs::exists(mirror_));
  }

  void ExpectEveryRecord(Store& store) {
    EXPECT_EQ(store.Stats().records, expected_.size());
    for (const auto& [h, data] : expected_) {
      auto got = store.Read(h);
      ASSERT_TRUE(got.ok()) << "handle " << h << ": " << got.status().ToString();
      EXPECT_EQ(*got, data) << "handle " << h;
    }
  }

  // The mirror equals the primary over the primary's log (the primary also has zeros after it).
  void ExpectMirrorLevelWithPrimary() {
    const std::string mirror = ReadWholeFile(mirror_), primary = ReadWholeFile(primary_);
    ASSERT_GT(mirror.size(), 4096u);
    ASSERT_LE(mirror.size(), primary.size());
    EXPECT_TRUE(primary.compare(0, mirror.size(), mirror) == 0) << "the mirror differs from the primary";
    EXPECT_EQ(primary.find_first_not_of('\0', mirror.size()), std::string::npos) << "the mirror stops before the log's end";
  }

  TempDir dir_;
  StoreConfig config_;
  Status last_open_;
  std::map<Handle, std::string> expected_;
  fs::path primary_, mirror_;
};

TEST_F(CacheBootTest, AValidMirrorIsWhatTheOpenReads) {
  Fill();
  // Damage the primary inside a record: only an open that reads the mirror instead gets past it.
  ASSERT_TRUE(Damage(primary_, "record 100", 0x20));

  auto store = Open();
  ASSERT_TRUE(store) << last_open_.ToString();
  ExpectEveryRecord(*store);  // served from the mirror
  ASSERT_TRUE(store->Close().ok());
  store.reset();
  // Without the cache, the same open sees the damage.
  EXPECT_FALSE(Open(SyncPolicy::kDirectWrite));
  EXPECT_EQ(last_open_.code(), StatusCode::kCorruption) << last_open_.ToString();
}

TEST_F(CacheBootTest, AMirrorLeftBehindIsCaughtUpFromThePrimary) {
  Fill();
  const std::string mirror = ReadWholeFile(mirror_);
  ASSERT_TRUE(WriteWholeFile(mirror_, mirror.substr(0, mirror.size() / 2)));  // a crash lost its unsynced tail
  auto store = Open();
  ASSERT_TRUE(store) << last_open_.ToString();
  ExpectEveryRecord(*store);
  ASSERT_TRUE(store->Close().ok());
  ExpectMirrorLevelWithPrimary();
}

TEST_F(CacheBootTest, ATornMirrorIsReadOnlyUpToTheTear) {
  Fill();
  ASSERT_TRUE(Damage(mirror_, "record 120", 0x01));
  auto store = Open();
  ASSERT_TRUE(store) << last_open_.ToString();
  ExpectEveryRecord(*store);  // record 120 onwards from the primary, and reads agree
  ASSERT_TRUE(store->Close().ok());
  ExpectMirrorLevelWithPrimary();
}

TEST_F(CacheBootTest, AMirrorOfAnotherSegmentIsNeverRead) {
  Fill();
  // Same name, other contents: the header block differs (here: every byte of it).
  std::string mirror = ReadWholeFile(mirror_);
  for (size_t i = 0; i < 256; ++i) mirror[i] = static_cast<char>(~mirror[i]);
  ASSERT_TRUE(WriteWholeFile(mirror_, mirror));
  auto store = Open();
  ASSERT_TRUE(store) << last_open_.ToString();
  ExpectEveryRecord(*store);
  ASSERT_TRUE(store->Close().ok());
  EXPECT_FALSE(fs::exists(mirror_)) << "an unusable mirror is removed";
}

TEST_F(CacheBootTest, TheHeadIsReadFromThePrimaryAlone) {
  // Where the log ends in the head is decided at recovery and sealed for good by the new owner,
  // so it must not depend on a mirror only this host has.
  FillHead();
  ASSERT_TRUE(Damage(primary_, "record 100", 0x20));
  EXPECT_FALSE(Open());
  EXPECT_EQ(last_open_.code(), StatusCode::kCorruption) << last_open_.ToString();
}

TEST_F(CacheBootTest, TheHeadsMirrorIsKeptLevelWithThePrimary) {
  FillHead();
  const std::string mirror = ReadWholeFile(mirror_);
  ASSERT_TRUE(WriteWholeFile(mirror_, mirror.substr(0, 4096 + 1000)));  // behind and torn
  auto store = Open();
  ASSERT_TRUE(store) << last_open_.ToString();
  ExpectEveryRecord(*store);
  ASSERT_TRUE(store->Close().ok());
  ExpectMirrorLevelWithPrimary();
}

TEST_F(CacheBootTest, CompactionRemovesTheMirrorWithItsSegment) {
  Fill();
  auto store = Open();
  ASSERT_TRUE(store) << last_open_.ToString();
  Transaction txn = store->Begin();
  for (const auto& [h, data] : expected_) ASSERT_TRUE(txn.Remove(h).ok());
  ASSERT_TRUE(store->Commit(std::move(txn)).ok());
  auto removed = CompactFileStore(*store, /*force=*/true);
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  EXPECT_GE(*removed, 1u);
  EXPECT_FALSE(fs::exists(primary_));
  EXPECT_FALSE(fs::exists(mirror_)) << "the mirror outlived its segment";
  ASSERT_TRUE(store->Close().ok());
}

TEST_F(CacheBootTest, ReadOnlyOpensReadThePrimary) {
  Fill();
  ASSERT_TRUE(Damage(primary_, "record 50", 0x20));
  auto ro = OpenFileStore(config_, Ownership{}, FileStoreOptions{.read_only = true});
  EXPECT_EQ(ro.status().code(), StatusCode::kCorruption) << "inspection tools must see the primary";
}

}  // namespace
}  // namespace hastore::testing
