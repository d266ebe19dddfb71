// Damage to durable bytes (DESIGN §5): anywhere but the end of the newest segment it is
// corruption, and the store refuses to open with a message naming the file and the offset
// (InspectFileStore reports the same); garbage or zeros after the last batch of the newest
// segment is a torn tail, the end of the log, and the store opens with every record.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <random>
#include <string>
#include <vector>

#include "common/temp_dir.h"
#include "filestore/fault_workload.h"
#include "hastore/filestore/inspect.h"

namespace hastore::testing {
namespace {

// One batch of the log as InspectFileStore shows it: where it starts, and its records.
struct LoggedRecord {
  uint64_t offset;
  std::string type;
  size_t size;
};
struct LoggedBatch {
  std::string segment;
  uint64_t offset;  // of the batch header
  std::vector<LoggedRecord> records;
};

constexpr uint64_t kBatchHeaderBytes = 64;   // filestore/FORMAT.md
constexpr uint64_t kRecordHeaderBytes = 48;

// The log of an undamaged instance, batch by batch: a record starts a new batch when it does
// not follow the previous one directly.
::testing::AssertionResult ReadLog(FileSystem* fs, const std::string& dir, const std::string& instance,
                                   FileStoreInspection* inspection, std::vector<LoggedBatch>* batches) {
  auto ins = InspectFileStore(dir, instance, fs, [&](const StoredRecord& r) {
    const bool same = !batches->empty() && batches->back().segment == r.segment &&
                      batches->back().records.back().offset + kRecordHeaderBytes + batches->back().records.back().size == r.offset;
    if (!same) batches->push_back(LoggedBatch{r.segment, r.offset - kBatchHeaderBytes, {}});
    batches->back().records.push_back(LoggedRecord{r.offset, std::string(r.type), r.data.size()});
  });
  if (!ins.ok()) return ::testing::AssertionFailure() << ins.status().ToString();
  if (!ins->damage.ok()) return ::testing::AssertionFailure() << "damaged before the test: " << ins->damage.ToString();
  *inspection = std::move(ins).value();
  return ::testing::AssertionSuccess();
}

class CorruptionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs_.AddExistingDirs(kFaultDir).ok());
    run_ = RunWorkload(fs_, config_);
    ASSERT_TRUE(run_.stopped.ok()) << run_.stopped.ToString();
    ASSERT_TRUE(run_.store->Close().ok());
    run_.store.reset();
    FileStoreInspection ins;
    ASSERT_TRUE(ReadLog(&fs_, kFaultDir, config_.instance(), &ins, &batches_));
    segments_ = ins.segments;
    ASSERT_GE(segments_.size(), 4u);
  }

  std::string Path(const std::string& segment) const { return std::string(kFaultDir) + "/" + segment; }

  // The batches of one segment, in order.
  std::vector<LoggedBatch> BatchesOf(const std::string& segment) const {
    std::vector<LoggedBatch> out;
    for (const LoggedBatch& b : batches_) {
      if (b.segment == segment) out.push_back(b);
    }
    return out;
  }

  // A record of at least 1000 bytes of data in `batches`, skipping the last `spare` batches.
  static bool FindBigRecord(const std::vector<LoggedBatch>& batches, size_t spare, LoggedBatch* batch, LoggedRecord* rec) {
    for (size_t i = 0; i + spare < batches.size(); ++i) {
      for (const LoggedRecord& r : batches[i].records) {
        if (r.size >= 1000) {
          *batch = batches[i];
          *rec = r;
          return true;
        }
      }
    }
    return false;
  }

  // With `damage` done to `segment`: the open fails with kCorruption naming the file and an
  // offset in [lo, hi], creates nothing, and InspectFileStore agrees. Then `undo` restores the
  // bytes and the store opens with every record: the refused open harmed nothing.
  template <class Damage, class Undo>
  void ExpectCorruption(const std::string& segment, Damage damage, Undo undo, uint64_t lo, uint64_t hi) {
    const size_t files = SegmentFiles(fs_);
    damage();
    auto opened = OpenStoreOn(fs_, config_);
    ASSERT_FALSE(opened.ok()) << "a store with damage in " << segment << " opened";
    const Status& s = opened.status();
    EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();
    EXPECT_NE(s.message().find(segment), std::string::npos) << "the error must name the file: " << s.message();
    EXPECT_EQ(SegmentFiles(fs_), files) << "a refused open must not start a segment";

    auto ins = InspectFileStore(kFaultDir, config_.instance(), &fs_);
    ASSERT_TRUE(ins.ok()) << ins.status().ToString();
    EXPECT_EQ(ins->damage.code(), StatusCode::kCorruption) << ins->damage.ToString();
    EXPECT_EQ(ins->damage_path, Path(segment));
    EXPECT_GE(ins->damage_offset, lo);
    EXPECT_LE(ins->damage_offset, hi);
    EXPECT_NE(s.message().find("offset " + std::to_string(ins->damage_offset)), std::string::npos)
        << "the error must name the offset " << ins->damage_offset << ": " << s.message();

    undo();
    auto repaired = OpenStoreOn(fs_, config_);
    ASSERT_TRUE(repaired.ok()) << "with the damage undone: " << repaired.status().ToString();
    StoreImage got;
    ASSERT_TRUE(ReadImage(**repaired, run_.handles, &got));
    EXPECT_EQ(got, run_.acked) << DescribeDifference(run_.acked, got);
  }

  // One bit flipped at `offset` of `segment` (and flipped back).
  void ExpectCorruptionAt(const std::string& segment, uint64_t offset, uint64_t lo, uint64_t hi) {
    auto flip = [&] { ASSERT_TRUE(fs_.FlipBit(Path(segment), offset, 3).ok()); };
    SCOPED_TRACE("bit flipped at offset " + std::to_string(offset) + " of " + segment);
    ExpectCorruption(segment, flip, flip, lo, hi);
  }

  // Overwrites bytes of a segment in place, durably.
  void Overwrite(const std::string& segment, uint64_t offset, const std::string& bytes) {
    auto file = fs_.Open(Path(segment), OpenOptions{});
    ASSERT_TRUE(file.ok());
    ASSERT_TRUE((*file)->Write(offset, bytes.data(), bytes.size()).ok());
    ASSERT_TRUE((*file)->Sync().ok());
  }

  // Flips a bit in the middle of a record of at least 1000 bytes in `segment`, not in its last
  // `spare` batches: corruption reported at that record's batch or in between.
  void FlipRecordDataIn(const std::string& segment, size_t spare) {
    LoggedBatch batch;
    LoggedRecord rec;
    ASSERT_TRUE(FindBigRecord(BatchesOf(segment), spare, &batch, &rec));
    const uint64_t flipped = rec.offset + kRecordHeaderBytes + rec.size / 2;
    ExpectCorruptionAt(segment, flipped, batch.offset, flipped);
  }

  // Appends bytes to the newest segment (a torn tail); the store must open with every record,
  // and again after that open sealed the tail.
  void ExpectTornTail(const std::string& tail, bool reported) {
    const std::string head = Path(segments_.back().name);
    auto file = fs_.Open(head, OpenOptions{});
    ASSERT_TRUE(file.ok());
    auto size = (*file)->Size();
    ASSERT_TRUE(size.ok());
    // The writer keeps zeros pre-written past the log, so the file may be longer than the log.
    const uint64_t end = segments_.back().log_bytes;
    ASSERT_GE(*size, end) << "test setup: the newest segment holds its log";
    ASSERT_TRUE((*file)->Write(end, tail.data(), tail.size()).ok());
    ASSERT_TRUE((*file)->Sync().ok());
    file->reset();

    auto ins = InspectFileStore(kFaultDir, config_.instance(), &fs_);
    ASSERT_TRUE(ins.ok()) << ins.status().ToString();
    EXPECT_TRUE(ins->damage.ok()) << ins->damage.ToString();
    if (reported) {
      EXPECT_EQ(ins->torn_segment, segments_.back().name);
      EXPECT_EQ(ins->torn_offset, end);
      EXPECT_EQ(ins->torn_bytes, std::max<uint64_t>(*size, end + tail.size()) - end);
    } else {
      EXPECT_EQ(ins->torn_bytes, 0u) << "unused space is not a torn tail";
    }
    for (int open = 0; open < 2; ++open) {
      auto opened = OpenStoreOn(fs_, config_);
      ASSERT_TRUE(opened.ok()) << "open " << open << ": " << opened.status().ToString();
      StoreImage got;
      ASSERT_TRUE(ReadImage(**opened, run_.handles, &got));
      EXPECT_EQ(got, run_.acked) << DescribeDifference(run_.acked, got);
    }
    EXPECT_TRUE(InspectsClean(fs_, config_));
  }

  FaultFileSystem fs_;
  StoreConfig config_ = FaultStoreConfig(SyncPolicy::kDirectWrite);
  WorkloadRun run_;
  std::vector<SegmentSummary> segments_;
  std::vector<LoggedBatch> batches_;
  QuietLogs quiet_;
};

TEST_F(CorruptionTest, BitFlipInRecordDataOfTheOldestSegment) { FlipRecordDataIn(segments_.front().name, 0); }

TEST_F(CorruptionTest, BitFlipInRecordDataOfAMiddleSegment) { FlipRecordDataIn(segments_[1].name, 0); }

TEST_F(CorruptionTest, BitFlipInABatchHeaderOfAnOlderSegment) {
  for (size_t s : {size_t{0}, size_t{1}}) {
    const std::vector<LoggedBatch> batches = BatchesOf(segments_[s].name);
    ASSERT_GE(batches.size(), 3u);
    const LoggedBatch& b = batches[2];
    SCOPED_TRACE(b.segment + " batch at offset " + std::to_string(b.offset));
    ExpectCorruptionAt(b.segment, b.offset + 8, b.offset, b.offset);  // its sequence number
  }
}

TEST_F(CorruptionTest, BitFlipInTheHeaderBlockOfAnOlderSegment) {
  for (size_t s : {size_t{0}, size_t{1}}) {
    SCOPED_TRACE(segments_[s].name);
    ExpectCorruptionAt(segments_[s].name, 20, 0, 20);
  }
}

// The newest segment's header names the one before it; damaged, the segment would look like a
// torn creation, but it holds batches: corruption, not an orphan to drop.
TEST_F(CorruptionTest, BitFlipInTheHeaderBlockOfTheNewestSegment) {
  ExpectCorruptionAt(segments_.back().name, 20, 0, 20);
}

// In the newest segment, a bad batch followed by a valid one is damage, not a torn tail: the
// writer keeps only its last batch unsynced.
TEST_F(CorruptionTest, BitFlipInTheNewestSegmentBeforeAValidBatch) { FlipRecordDataIn(segments_.back().name, 1); }

TEST_F(CorruptionTest, BitFlipInABatchHeaderOfTheNewestSegmentBeforeAValidBatch) {
  const std::vector<LoggedBatch> batches = BatchesOf(segments_.back().name);
  ASSERT_GE(batches.size(), 3u);
  const LoggedBatch& b = batches[batches.size() - 2];
  ExpectCorruptionAt(b.segment, b.offset + 4, b.offset, b.offset);  // its payload length
}

// Zeros after the log are unused space (the writer writes them ahead), but a zeroed block in
// the middle of the newest segment, with a valid batch after it, is damage.
TEST_F(CorruptionTest, ZeroedBatchInTheNewestSegmentBeforeAValidBatch) {
  const std::vector<LoggedBatch> batches = BatchesOf(segments_.back().name);
  ASSERT_GE(batches.size(), 3u);
  const LoggedBatch& b = batches[batches.size() - 2];
  auto contents = fs_.Contents(Path(b.segment));
  ASSERT_TRUE(contents.ok());
  const uint64_t block = 512;  // the fault file system's block size
  const std::string saved = contents->substr(b.offset, block);
  ExpectCorruption(
      b.segment, [&] { Overwrite(b.segment, b.offset, std::string(block, '\0')); },
      [&] { Overwrite(b.segment, b.offset, saved); }, b.offset, b.offset);
}

TEST_F(CorruptionTest, GarbageAfterTheLastBatchIsATornTail) {
  std::string garbage(3000, '\0');
  std::mt19937_64 rng(42);
  for (char& c : garbage) c = static_cast<char>(rng());
  ExpectTornTail(garbage, true);
}

// Zeros after the last batch are space the writer wrote ahead (or never wrote): not torn.
TEST_F(CorruptionTest, ZerosAfterTheLastBatchAreUnusedSpace) { ExpectTornTail(std::string(8192, '\0'), false); }

// What a crash in the middle of writing one more batch leaves: the first part of a batch whose
// header is whole and whose records are cut short.
TEST_F(CorruptionTest, AHalfWrittenBatchAfterTheLastBatchIsATornTail) {
  auto contents = fs_.Contents(Path(segments_.back().name));
  ASSERT_TRUE(contents.ok());
  const std::vector<LoggedBatch> batches = BatchesOf(segments_.back().name);
  LoggedBatch batch;
  LoggedRecord rec;
  ASSERT_TRUE(FindBigRecord(batches, 0, &batch, &rec));
  // The first bytes of a real batch: its header is whole (magic, checksum), its records are
  // cut short by the end of the file.
  const std::string cut = contents->substr(batch.offset, rec.offset + kRecordHeaderBytes + rec.size / 2 - batch.offset);
  ExpectTornTail(cut, true);
}

// The same damage on the real file system, through the store's default engine (file.io_engine auto).
TEST(CorruptionOnDiskTest, BitFlipInRecordDataOfTheOldestSegment) {
  QuietLogs quiet;
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  StoreConfig config = FaultStoreConfig(SyncPolicy::kDirectWrite);
  config.file.directory = dir.path();
  FileSystem& posix = *FileSystem::Default();
  WorkloadRun run = RunWorkload(posix, config);
  ASSERT_TRUE(run.stopped.ok()) << run.stopped.ToString();
  ASSERT_TRUE(run.store->Close().ok());
  run.store.reset();

  FileStoreInspection ins;
  std::vector<LoggedBatch> batches;
  ASSERT_TRUE(ReadLog(nullptr, dir.path(), config.instance(), &ins, &batches));
  ASSERT_GE(ins.segments.size(), 3u);
  const std::string oldest = ins.segments.front().name;
  const LoggedRecord* rec = nullptr;
  const LoggedBatch* batch = nullptr;
  for (const LoggedBatch& b : batches) {
    for (const LoggedRecord& r : b.records) {
      if (!rec && b.segment == oldest && r.size >= 1000) {
        rec = &r;
        batch = &b;
      }
    }
  }
  ASSERT_NE(rec, nullptr);
  const uint64_t flipped = rec->offset + kRecordHeaderBytes + rec->size / 2;
  const std::string path = dir.path() + "/" + oldest;
  const int fd = ::open(path.c_str(), O_RDWR);
  ASSERT_GE(fd, 0);
  char byte = 0;
  ASSERT_EQ(::pread(fd, &byte, 1, static_cast<off_t>(flipped)), 1);
  byte ^= 0x10;
  ASSERT_EQ(::pwrite(fd, &byte, 1, static_cast<off_t>(flipped)), 1);
  ASSERT_EQ(::fsync(fd), 0);
  ::close(fd);

  auto opened = OpenStoreOn(posix, config);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kCorruption) << opened.status().ToString();
  EXPECT_NE(opened.status().message().find(oldest), std::string::npos) << opened.status().message();
  auto damaged = InspectFileStore(dir.path(), config.instance());
  ASSERT_TRUE(damaged.ok()) << damaged.status().ToString();
  EXPECT_EQ(damaged->damage.code(), StatusCode::kCorruption);
  EXPECT_EQ(damaged->damage_path, path);
  EXPECT_GE(damaged->damage_offset, batch->offset);
  EXPECT_LE(damaged->damage_offset, flipped);
  EXPECT_NE(opened.status().message().find("offset " + std::to_string(damaged->damage_offset)), std::string::npos)
      << opened.status().message();
}

}  // namespace
}  // namespace hastore::testing
