// The crash tests of every store trust this file system to tell synced from unsynced state,
// so these tests pin down its durability rules, its I/O numbering and its tear mode.
#include "hastore/storage/fault_fs.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace hastore {
namespace {

using CrashMode = FaultFileSystem::CrashMode;

constexpr const char* kMissing = "<missing>";

Status Put(File& f, uint64_t offset, std::string_view bytes) { return f.Write(offset, bytes.data(), bytes.size()); }

// Creates path (in `dir`) holding `content`, with both the content and the entry durable; null
// (and a test failure) when any step fails.
std::unique_ptr<File> MakeDurable(FaultFileSystem& fs, const std::string& path, std::string_view content,
                                  const std::string& dir = "db") {
  Result<std::unique_ptr<File>> r = fs.Open(path, OpenOptions{.create = true});
  if (!r.ok()) {
    ADD_FAILURE() << "create " << path << ": " << r.status().ToString();
    return nullptr;
  }
  std::unique_ptr<File> f = std::move(r).value();
  const bool ok = Put(*f, 0, content).ok() && f->Sync().ok() && fs.SyncDir(dir).ok();
  if (!ok) ADD_FAILURE() << "making " << path << " durable failed";
  return ok ? std::move(f) : nullptr;
}

class FaultFsTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(fs_.AddExistingDirs("db").ok()); }

  // Opens path with the given options; null (and a test failure) when that fails.
  std::unique_ptr<File> Open(const std::string& path, OpenOptions options) {
    Result<std::unique_ptr<File>> r = fs_.Open(path, options);
    if (!r.ok()) {
      ADD_FAILURE() << "open " << path << ": " << r.status().ToString();
      return nullptr;
    }
    return std::move(r).value();
  }
  std::unique_ptr<File> Create(const std::string& path) { return Open(path, OpenOptions{.create = true}); }
  std::unique_ptr<File> OpenExisting(const std::string& path) { return Open(path, OpenOptions{}); }

  // A file whose entry and content are both durable.
  std::unique_ptr<File> CreateDurable(const std::string& path, std::string_view content) {
    return MakeDurable(fs_, path, content);
  }

  // db/a holding a durable "A" (sync 1), with the next sync (2) set to fail.
  std::unique_ptr<File> FileWhoseSecondSyncFails() {
    std::unique_ptr<File> f = CreateDurable("db/a", "A");
    EXPECT_EQ(fs_.sync_count(), 1u);
    fs_.FailSyncAt(2);
    return f;
  }

  std::string ContentsOf(const std::string& path) {
    Result<std::string> r = fs_.Contents(path);
    return r.ok() ? r.value() : kMissing;
  }

  std::vector<std::string> ListOf(const std::string& dir) {
    Result<std::vector<std::string>> r = fs_.List(dir);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) return {};
    std::vector<std::string> names = r.value();
    std::sort(names.begin(), names.end());
    return names;
  }

  FaultFileSystem fs_;
};

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// --- Durability of file data -------------------------------------------------------------

TEST_F(FaultFsTest, CrashKeepsSyncedDataAndDropsUnsynced) {
  auto f = CreateDurable("db/a", "hello");
  ASSERT_NE(f, nullptr);
  ASSERT_TRUE(Put(*f, 5, " world").ok());
  EXPECT_EQ(ContentsOf("db/a"), "hello world");
  ASSERT_TRUE(Put(*f, 0, "J").ok());
  EXPECT_EQ(ContentsOf("db/a"), "Jello world");

  fs_.SimulateCrash(CrashMode::kDropUnsynced);
  EXPECT_EQ(ContentsOf("db/a"), "hello");
}

TEST_F(FaultFsTest, SyncMakesTheLatestContentDurable) {
  auto f = CreateDurable("db/a", "one");
  ASSERT_NE(f, nullptr);
  ASSERT_TRUE(Put(*f, 3, "two").ok());
  ASSERT_TRUE(f->Sync().ok());
  ASSERT_TRUE(Put(*f, 6, "three").ok());
  fs_.SimulateCrash(CrashMode::kDropUnsynced);
  EXPECT_EQ(ContentsOf("db/a"), "onetwo");
}

TEST_F(FaultFsTest, WriteBeyondTheEndFillsTheGapWithZeros) {
  auto f = Create("db/a");
  ASSERT_NE(f, nullptr);
  ASSERT_TRUE(Put(*f, 4, "x").ok());
  EXPECT_EQ(ContentsOf("db/a"), std::string("\0\0\0\0x", 5));
  Result<uint64_t> size = f->Size();
  ASSERT_TRUE(size.ok());
  EXPECT_EQ(size.value(), 5u);
}

TEST_F(FaultFsTest, ReadSeesCurrentContentAndStopsShortAtTheEnd) {
  auto f = Create("db/a");
  ASSERT_NE(f, nullptr);
  ASSERT_TRUE(Put(*f, 0, "abcdef").ok());
  char buf[16];
  size_t got = 99;
  ASSERT_TRUE(f->Read(2, buf, sizeof buf, &got).ok());
  EXPECT_EQ(std::string(buf, got), "cdef");
  ASSERT_TRUE(f->Read(6, buf, sizeof buf, &got).ok());
  EXPECT_EQ(got, 0u);
  ASSERT_TRUE(f->Read(100, buf, sizeof buf, &got).ok());
  EXPECT_EQ(got, 0u);
  ASSERT_TRUE(f->Read(1, buf, 2, &got).ok());
  EXPECT_EQ(std::string(buf, got), "bc");
}

TEST_F(FaultFsTest, TruncateIsDurableOnlyAfterSync) {
  auto f = CreateDurable("db/a", "abcdef");
  ASSERT_NE(f, nullptr);
  ASSERT_TRUE(f->Truncate(3).ok());
  EXPECT_EQ(ContentsOf("db/a"), "abc");
  EXPECT_EQ(f->Size().value(), 3u);
  fs_.SimulateCrash(CrashMode::kDropUnsynced);
  EXPECT_EQ(ContentsOf("db/a"), "abcdef");

  f = OpenExisting("db/a");
  ASSERT_NE(f, nullptr);
  ASSERT_TRUE(f->Truncate(2).ok());
  ASSERT_TRUE(f->Sync().ok());
  fs_.SimulateCrash(CrashMode::kDropUnsynced);
  EXPECT_EQ(ContentsOf("db/a"), "ab");
}

TEST_F(FaultFsTest, TruncateUpwardsFillsWithZeros) {
  auto f = CreateDurable("db/a", "ab");
  ASSERT_NE(f, nullptr);
  ASSERT_TRUE(f->Truncate(4).ok());
  EXPECT_EQ(ContentsOf("db/a"), std::string("ab\0\0", 4));
}

// --- Durability of directory entries -----------------------------------------------------

TEST_F(FaultFsTest, CreatedFileDisappearsAfterCrashWithoutSyncDir) {
  auto f = Create("db/a");
  ASSERT_NE(f, nullptr);
  ASSERT_TRUE(Put(*f, 0, "data").ok());
  ASSERT_TRUE(f->Sync().ok());  // the data is synced, the name is not
  EXPECT_TRUE(fs_.Exists("db/a"));
  fs_.SimulateCrash(CrashMode::kDropUnsynced);
  EXPECT_FALSE(fs_.Exists("db/a"));
  EXPECT_TRUE(ListOf("db").empty());
  EXPECT_EQ(fs_.Open("db/a", OpenOptions{}).status().code(), StatusCode::kNotFound);
}

TEST_F(FaultFsTest, CreatedFileSurvivesCrashAfterSyncDir) {
  auto f = Create("db/a");
  ASSERT_NE(f, nullptr);
  ASSERT_TRUE(Put(*f, 0, "data").ok());
  ASSERT_TRUE(f->Sync().ok());
  ASSERT_TRUE(fs_.SyncDir("db").ok());
  fs_.SimulateCrash(CrashMode::kDropUnsynced);
  EXPECT_EQ(ContentsOf("db/a"), "data");
}

TEST_F(FaultFsTest, SyncDirOfAnotherDirectoryDoesNotHelp) {
  ASSERT_TRUE(fs_.AddExistingDirs("other").ok());
  ASSERT_NE(Create("db/a"), nullptr);
  ASSERT_TRUE(fs_.SyncDir("other").ok());
  fs_.SimulateCrash(CrashMode::kDropUnsynced);
  EXPECT_FALSE(fs_.Exists("db/a"));
  EXPECT_TRUE(fs_.Exists("other"));
}

// --- Directory durability: a made directory is an entry of its parent ---------------------

TEST_F(FaultFsTest, ADirectoryWhoseParentWasNotSyncedIsLostWithEverythingInIt) {
  ASSERT_TRUE(fs_.CreateDirs("db/new/deeper").ok());
  ASSERT_NE(MakeDurable(fs_, "db/new/deeper/f", "data", "db/new/deeper"), nullptr);
  ASSERT_TRUE(fs_.SyncDir("db/new").ok());  // makes "deeper" durable in "new", not "new" in "db"
  fs_.SimulateCrash(CrashMode::kDropUnsynced);
  EXPECT_FALSE(fs_.Exists("db/new"));
  EXPECT_FALSE(fs_.Exists("db/new/deeper"));
  EXPECT_FALSE(fs_.Exists("db/new/deeper/f"));
  EXPECT_TRUE(ListOf("db").empty());
}

TEST_F(FaultFsTest, ADirectoryIsDurableOnceItsParentIsSynced) {
  ASSERT_TRUE(fs_.CreateDirs("db/new").ok());
  ASSERT_NE(MakeDurable(fs_, "db/new/f", "data", "db/new"), nullptr);
  ASSERT_TRUE(fs_.SyncDir("db").ok());
  fs_.SimulateCrash(CrashMode::kDropUnsynced);
  EXPECT_EQ(ContentsOf("db/new/f"), "data");
}

TEST_F(FaultFsTest, CreateDirsDurablySyncsTheParentOfEveryDirectoryItMade) {
  const uint64_t before = fs_.io_count();
  ASSERT_TRUE(CreateDirsDurably(fs_, "db/x/y/z").ok());
  EXPECT_EQ(fs_.io_count(), before + 3);  // db (for x), db/x (for y), db/x/y (for z)
  ASSERT_NE(MakeDurable(fs_, "db/x/y/z/f", "data", "db/x/y/z"), nullptr);
  fs_.SimulateCrash(CrashMode::kDropUnsynced);
  EXPECT_EQ(ContentsOf("db/x/y/z/f"), "data");
  const uint64_t again = fs_.io_count();
  ASSERT_TRUE(CreateDirsDurably(fs_, "db/x/y/z").ok());  // all there: nothing to sync
  EXPECT_EQ(fs_.io_count(), again);
}

TEST(FaultFsTearTest, AnUnsyncedDirectoryMaySurviveOrNot) {
  std::set<bool> outcomes;
  for (uint64_t seed = 0; seed < 64; ++seed) {
    FaultFileSystem fs;
    ASSERT_TRUE(fs.AddExistingDirs("db").ok());
    ASSERT_TRUE(fs.CreateDirs("db/new/inner").ok());
    fs.SimulateCrash(CrashMode::kTearUnsynced, seed);
    const bool outer = fs.Exists("db/new");
    outcomes.insert(outer);
    if (!outer) {
      EXPECT_FALSE(fs.Exists("db/new/inner")) << "seed " << seed << ": a child outlived its lost parent";
    }
  }
  EXPECT_EQ(outcomes.size(), 2u);
}

TEST_F(FaultFsTest, RenameIsDurableOnlyAfterSyncDir) {
  ASSERT_NE(CreateDurable("db/a", "payload"), nullptr);
  ASSERT_TRUE(fs_.Rename("db/a", "db/b").ok());
  EXPECT_FALSE(fs_.Exists("db/a"));
  EXPECT_EQ(ContentsOf("db/b"), "payload");
  fs_.SimulateCrash(CrashMode::kDropUnsynced);
  EXPECT_EQ(ContentsOf("db/a"), "payload");
  EXPECT_FALSE(fs_.Exists("db/b"));

  ASSERT_TRUE(fs_.Rename("db/a", "db/b").ok());
  ASSERT_TRUE(fs_.SyncDir("db").ok());
  fs_.SimulateCrash(CrashMode::kDropUnsynced);
  EXPECT_FALSE(fs_.Exists("db/a"));
  EXPECT_EQ(ContentsOf("db/b"), "payload");
}

TEST_F(FaultFsTest, UnsyncedRenameOverAnExistingFileReverts) {
  ASSERT_NE(CreateDurable("db/CURRENT", "old"), nullptr);
  auto tmp = Create("db/CURRENT.tmp");
  ASSERT_NE(tmp, nullptr);
  ASSERT_TRUE(Put(*tmp, 0, "new").ok());
  ASSERT_TRUE(tmp->Sync().ok());
  ASSERT_TRUE(fs_.Rename("db/CURRENT.tmp", "db/CURRENT").ok());
  EXPECT_EQ(ContentsOf("db/CURRENT"), "new");
  EXPECT_EQ(ListOf("db"), std::vector<std::string>{"CURRENT"});
  fs_.SimulateCrash(CrashMode::kDropUnsynced);
  EXPECT_EQ(ContentsOf("db/CURRENT"), "old");
  EXPECT_FALSE(fs_.Exists("db/CURRENT.tmp"));  // its creation was never dir-synced either
}

TEST_F(FaultFsTest, OpenFileFollowsItsNodeAcrossRename) {
  auto f = CreateDurable("db/a", "x");
  ASSERT_NE(f, nullptr);
  ASSERT_TRUE(fs_.Rename("db/a", "db/b").ok());
  ASSERT_TRUE(Put(*f, 1, "y").ok());
  EXPECT_EQ(ContentsOf("db/b"), "xy");
}

TEST_F(FaultFsTest, UnsyncedRemoveComesBackWithItsDurableContent) {
  auto f = CreateDurable("db/a", "kept");
  ASSERT_NE(f, nullptr);
  ASSERT_TRUE(Put(*f, 4, "+unsynced").ok());
  ASSERT_TRUE(fs_.Remove("db/a").ok());
  EXPECT_FALSE(fs_.Exists("db/a"));
  fs_.SimulateCrash(CrashMode::kDropUnsynced);
  EXPECT_EQ(ContentsOf("db/a"), "kept");

  ASSERT_TRUE(fs_.Remove("db/a").ok());
  ASSERT_TRUE(fs_.SyncDir("db").ok());
  fs_.SimulateCrash(CrashMode::kDropUnsynced);
  EXPECT_FALSE(fs_.Exists("db/a"));
}

TEST_F(FaultFsTest, RemoveAndRenameOfMissingFilesAreNotFound) {
  EXPECT_EQ(fs_.Remove("db/none").code(), StatusCode::kNotFound);
  EXPECT_EQ(fs_.Rename("db/none", "db/b").code(), StatusCode::kNotFound);
  ASSERT_NE(Create("db/a"), nullptr);
  EXPECT_EQ(fs_.Rename("db/a", "nodir/b").code(), StatusCode::kNotFound);
}

// --- Paths, directories and listing ------------------------------------------------------

TEST_F(FaultFsTest, PathsAreNormalised) {
  auto f = Create("db//a/");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->path(), "db/a");
  EXPECT_TRUE(fs_.Exists("db/a"));
  EXPECT_TRUE(fs_.Exists("db///a"));
  EXPECT_TRUE(fs_.Exists("db/"));
  ASSERT_TRUE(fs_.SyncDir("db/").ok());
  fs_.SimulateCrash(CrashMode::kDropUnsynced);
  EXPECT_TRUE(fs_.Exists("db/a"));  // SyncDir("db/") synced the same directory
}

TEST_F(FaultFsTest, CreateInAMissingDirectoryIsNotFound) {
  Result<std::unique_ptr<File>> r = fs_.Open("nodir/a", OpenOptions{.create = true});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(Contains(r.status().message(), "nodir")) << r.status().ToString();
  EXPECT_FALSE(fs_.Exists("nodir/a"));
}

TEST_F(FaultFsTest, CreateDirsMakesEveryLevelAndWorksForAbsolutePaths) {
  ASSERT_TRUE(fs_.CreateDirs("/data/x/y").ok());
  EXPECT_TRUE(fs_.Exists("/data"));
  EXPECT_TRUE(fs_.Exists("/data/x"));
  EXPECT_TRUE(fs_.Exists("/data/x/y"));
  ASSERT_TRUE(fs_.CreateDirs("/data/x/y").ok());  // again: no error
  ASSERT_NE(Create("/data/x/y/f"), nullptr);
  EXPECT_EQ(ListOf("/data/x/y"), std::vector<std::string>{"f"});
  EXPECT_EQ(ListOf("/data"), std::vector<std::string>{"x"});
}

TEST_F(FaultFsTest, CreateDirsOverAFileFails) {
  ASSERT_NE(Create("db/f"), nullptr);
  EXPECT_FALSE(fs_.CreateDirs("db/f/sub").ok());
  EXPECT_FALSE(fs_.Exists("db/f/sub"));
}

TEST_F(FaultFsTest, ListNamesFilesAndSubdirectories) {
  ASSERT_TRUE(fs_.CreateDirs("db/sub/deeper").ok());
  ASSERT_NE(Create("db/b"), nullptr);
  ASSERT_NE(Create("db/a"), nullptr);
  ASSERT_NE(Create("db/sub/inner"), nullptr);
  EXPECT_EQ(ListOf("db"), (std::vector<std::string>{"a", "b", "sub"}));
  EXPECT_EQ(ListOf("db/sub"), (std::vector<std::string>{"deeper", "inner"}));
  ASSERT_TRUE(fs_.Remove("db/a").ok());
  EXPECT_EQ(ListOf("db"), (std::vector<std::string>{"b", "sub"}));
  EXPECT_EQ(fs_.List("nodir").status().code(), StatusCode::kNotFound);
}

TEST_F(FaultFsTest, OpenAndRemoveRefuseDirectories) {
  EXPECT_FALSE(fs_.Open("db", OpenOptions{.create = true}).ok());
  EXPECT_FALSE(fs_.Remove("db").ok());
  EXPECT_TRUE(fs_.Exists("db"));
}

// --- Open options and test access --------------------------------------------------------

TEST_F(FaultFsTest, OpenOptionsAreHonoured) {
  EXPECT_EQ(fs_.Open("db/a", OpenOptions{}).status().code(), StatusCode::kNotFound);
  ASSERT_NE(CreateDurable("db/a", "abc"), nullptr);

  Result<std::unique_ptr<File>> excl = fs_.Open("db/a", OpenOptions{.create = true, .exclusive = true});
  ASSERT_FALSE(excl.ok());
  EXPECT_EQ(excl.status().code(), StatusCode::kIOError);
  EXPECT_TRUE(Contains(excl.status().message(), "exists")) << excl.status().ToString();
  EXPECT_TRUE(Contains(excl.status().message(), "db/a")) << excl.status().ToString();

  auto ro = Open("db/a", OpenOptions{.read_only = true});
  ASSERT_NE(ro, nullptr);
  EXPECT_EQ(Put(*ro, 0, "x").code(), StatusCode::kIOError);
  EXPECT_EQ(ro->Truncate(0).code(), StatusCode::kIOError);
  EXPECT_EQ(ContentsOf("db/a"), "abc");
  EXPECT_EQ(ro->fd(), -1);

  auto direct = Open("db/a", OpenOptions{.direct = true});
  ASSERT_NE(direct, nullptr);
  EXPECT_TRUE(Put(*direct, 1, "B").ok());  // unaligned is fine: direct is ignored
  EXPECT_EQ(ContentsOf("db/a"), "aBc");

  Result<uint32_t> block = fs_.BlockSize("db");
  ASSERT_TRUE(block.ok());
  EXPECT_EQ(block.value(), 512u);
}

TEST_F(FaultFsTest, ExclusiveCreateOfANewFileSucceeds) {
  EXPECT_NE(Open("db/new", OpenOptions{.create = true, .exclusive = true}), nullptr);
}

TEST_F(FaultFsTest, FlipBitChangesDurableAndCurrentContent) {
  ASSERT_NE(CreateDurable("db/a", "AAAA"), nullptr);
  ASSERT_TRUE(fs_.FlipBit("db/a", 2, 0).ok());
  EXPECT_EQ(ContentsOf("db/a"), "AA@A");  // 'A' is 0x41, '@' is 0x40
  fs_.SimulateCrash(CrashMode::kDropUnsynced);
  EXPECT_EQ(ContentsOf("db/a"), "AA@A");

  EXPECT_EQ(fs_.FlipBit("db/none", 0, 0).code(), StatusCode::kNotFound);
  EXPECT_EQ(fs_.FlipBit("db/a", 4, 0).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(fs_.FlipBit("db/a", 0, 8).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(fs_.Contents("db/none").status().code(), StatusCode::kNotFound);
}

// --- I/O numbering: CrashAtIo and FailSyncAt ---------------------------------------------

TEST_F(FaultFsTest, EveryWriteTruncateSyncAndSyncDirIsOneIo) {
  const uint64_t base = fs_.io_count();
  auto f = Create("db/a");  // creating is not an I/O
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(fs_.io_count(), base);
  ASSERT_TRUE(Put(*f, 0, "x").ok());
  ASSERT_TRUE(f->Truncate(0).ok());
  ASSERT_TRUE(f->Sync().ok());
  ASSERT_TRUE(fs_.SyncDir("db").ok());
  EXPECT_EQ(fs_.io_count(), base + 4);
  EXPECT_EQ(fs_.sync_count(), 1u);  // SyncDir is not a File::Sync
  char c;
  size_t got;
  ASSERT_TRUE(f->Read(0, &c, 1, &got).ok());  // reads are not I/Os here
  ASSERT_TRUE(f->Size().ok());
  EXPECT_EQ(fs_.io_count(), base + 4);
}

TEST_F(FaultFsTest, CrashAtIoFailsThatIoAndEveryLaterOne) {
  auto f = Create("db/a");
  ASSERT_NE(f, nullptr);
  fs_.CrashAtIo(3);
  EXPECT_TRUE(Put(*f, 0, "one").ok());  // I/O 1
  EXPECT_TRUE(f->Sync().ok());          // I/O 2
  EXPECT_FALSE(fs_.crashed());

  Status third = Put(*f, 3, "two");  // I/O 3
  EXPECT_EQ(third.code(), StatusCode::kIOError);
  EXPECT_TRUE(Contains(third.message(), "simulated crash")) << third.ToString();
  EXPECT_TRUE(fs_.crashed());
  EXPECT_EQ(ContentsOf("db/a"), "one");  // the failed write had no effect

  EXPECT_EQ(f->Sync().code(), StatusCode::kIOError);          // I/O 4
  EXPECT_EQ(fs_.SyncDir("db").code(), StatusCode::kIOError);  // I/O 5
  EXPECT_EQ(f->Truncate(0).code(), StatusCode::kIOError);     // I/O 6
  EXPECT_EQ(fs_.io_count(), 6u);
  EXPECT_EQ(ContentsOf("db/a"), "one");

  // The dead process cannot change directory entries either.
  EXPECT_FALSE(fs_.Open("db/b", OpenOptions{.create = true}).ok());
  EXPECT_FALSE(fs_.Rename("db/a", "db/c").ok());
  EXPECT_FALSE(fs_.Remove("db/a").ok());
  EXPECT_FALSE(fs_.CreateDirs("db/sub").ok());
  EXPECT_EQ(ListOf("db"), std::vector<std::string>{"a"});

  fs_.SimulateCrash(CrashMode::kDropUnsynced);
  EXPECT_FALSE(fs_.crashed());
  EXPECT_FALSE(fs_.Exists("db/a"));  // never dir-synced
  auto g = Create("db/a");
  ASSERT_NE(g, nullptr);
  EXPECT_TRUE(Put(*g, 0, "again").ok());  // the crash point is cleared
  EXPECT_EQ(fs_.io_count(), 7u);          // and the numbering goes on
}

// The harness's loop: for every k, stop a fixed workload at its k-th I/O. Exactly k-1 I/Os
// must succeed, and the k-th must be the first to fail.
TEST(FaultFsCrashPointTest, EveryIoOfAWorkloadCanBeTheCrashPoint) {
  auto workload = [](FaultFileSystem& fs, std::vector<Status>* results) {
    if (!fs.CreateDirs("db").ok()) return;
    auto r = fs.Open("db/log", OpenOptions{.create = true});
    if (!r.ok()) return;
    File& f = *r.value();
    results->push_back(Put(f, 0, "rec1"));
    results->push_back(f.Sync());
    results->push_back(fs.SyncDir("db"));
    results->push_back(Put(f, 4, "rec2"));
    results->push_back(f.Truncate(6));
    results->push_back(f.Sync());
  };
  const uint64_t kIos = 6;
  for (uint64_t k = 1; k <= kIos + 1; ++k) {
    FaultFileSystem fs;
    fs.CrashAtIo(k);
    std::vector<Status> results;
    workload(fs, &results);
    ASSERT_EQ(results.size(), kIos);
    for (uint64_t i = 1; i <= kIos; ++i) {
      EXPECT_EQ(results[i - 1].ok(), i < k) << "crash at " << k << ", I/O " << i << ": " << results[i - 1].ToString();
    }
    EXPECT_EQ(fs.crashed(), k <= kIos);
    EXPECT_EQ(fs.io_count(), kIos);
  }
}

TEST_F(FaultFsTest, FailSyncAtFailsOneSyncAndMakesNothingDurable) {
  auto f = FileWhoseSecondSyncFails();
  ASSERT_NE(f, nullptr);
  ASSERT_TRUE(Put(*f, 1, "B").ok());
  Status failed = f->Sync();  // sync 2
  EXPECT_EQ(failed.code(), StatusCode::kIOError);
  EXPECT_TRUE(Contains(failed.message(), "db/a")) << failed.ToString();
  EXPECT_EQ(fs_.sync_count(), 2u);
  EXPECT_FALSE(fs_.crashed());
  EXPECT_EQ(ContentsOf("db/a"), "AB");  // reads still see the write

  fs_.SimulateCrash(CrashMode::kDropUnsynced);
  EXPECT_EQ(ContentsOf("db/a"), "A");
}

TEST_F(FaultFsTest, SyncsAfterTheFailedOneWork) {
  auto f = FileWhoseSecondSyncFails();
  ASSERT_NE(f, nullptr);
  ASSERT_TRUE(Put(*f, 1, "B").ok());
  EXPECT_FALSE(f->Sync().ok());  // sync 2
  EXPECT_TRUE(f->Sync().ok());   // sync 3
  EXPECT_EQ(fs_.sync_count(), 3u);
  fs_.SimulateCrash(CrashMode::kDropUnsynced);
  EXPECT_EQ(ContentsOf("db/a"), "AB");
}

TEST_F(FaultFsTest, SimulateCrashClearsTheFailingSync) {
  auto f = FileWhoseSecondSyncFails();
  ASSERT_NE(f, nullptr);
  fs_.SimulateCrash(CrashMode::kDropUnsynced);
  f = OpenExisting("db/a");
  ASSERT_NE(f, nullptr);
  EXPECT_TRUE(f->Sync().ok());  // sync 2, no longer a failure point
}

// --- Tear mode ---------------------------------------------------------------------------

// One seed's run: a fresh file system whose db/ holds one durable file.
struct TearTrial {
  TearTrial(const std::string& path, std::string_view durable_content) {
    EXPECT_TRUE(fs.AddExistingDirs("db").ok());
    file = MakeDurable(fs, path, durable_content);
  }
  FaultFileSystem fs;
  std::unique_ptr<File> file;
};

// Three unsynced appends: every outcome must be a prefix of what was written (so no byte
// that was never written), and over many seeds both the full result and torn ones occur.
TEST(FaultFsTearTest, KeepsAPrefixOfUnsyncedWritesAndTearsTheLast) {
  const std::string written = "aaaabbbbcccc";
  int full = 0, torn = 0, empty = 0;
  std::set<size_t> lengths;
  for (uint64_t seed = 0; seed < 300; ++seed) {
    TearTrial t("db/log", "");
    ASSERT_NE(t.file, nullptr);
    for (size_t i = 0; i < written.size(); i += 4) ASSERT_TRUE(Put(*t.file, i, written.substr(i, 4)).ok());

    t.fs.SimulateCrash(CrashMode::kTearUnsynced, seed);
    Result<std::string> got = t.fs.Contents("db/log");
    ASSERT_TRUE(got.ok()) << "seed " << seed;
    const std::string& s = got.value();
    ASSERT_EQ(written.compare(0, s.size(), s), 0) << "seed " << seed << " left '" << s << "'";
    lengths.insert(s.size());
    if (s == written) {
      ++full;
    } else if (s.empty()) {
      ++empty;
    } else if (s.size() % 4 != 0) {
      ++torn;
    }
  }
  EXPECT_GT(full, 0);
  EXPECT_GT(torn, 0);
  EXPECT_GT(empty, 0);
  // Any number of the writes may survive and any one of them may be the torn one, so every
  // length from 0 to 12 occurs.
  EXPECT_EQ(lengths.size(), written.size() + 1);
}

// An overwrite that is torn leaves new bytes then old ones, never anything else.
TEST(FaultFsTearTest, TornOverwriteMixesOnlyOldAndNewBytes) {
  std::set<std::string> outcomes;
  for (uint64_t seed = 0; seed < 200; ++seed) {
    TearTrial t("db/a", "xxxx");
    ASSERT_NE(t.file, nullptr);
    ASSERT_TRUE(Put(*t.file, 0, "yyyy").ok());
    t.fs.SimulateCrash(CrashMode::kTearUnsynced, seed);
    outcomes.insert(t.fs.Contents("db/a").value());
  }
  for (const std::string& s : outcomes) {
    const size_t ys = s.find_first_not_of('y');
    const size_t n = ys == std::string::npos ? s.size() : ys;
    EXPECT_EQ(s, std::string(n, 'y') + std::string(4 - n, 'x')) << "outcome '" << s << "'";
  }
  EXPECT_TRUE(outcomes.count("xxxx"));
  EXPECT_TRUE(outcomes.count("yyyy"));
  EXPECT_GE(outcomes.size(), 3u);  // at least one torn mix
}

TEST(FaultFsTearTest, KeepsAPrefixOfDirectoryOperations) {
  std::set<size_t> kept_counts;
  for (uint64_t seed = 0; seed < 200; ++seed) {
    FaultFileSystem fs;
    ASSERT_TRUE(fs.AddExistingDirs("db").ok());
    for (const char* name : {"db/1", "db/2", "db/3"}) ASSERT_TRUE(fs.Open(name, OpenOptions{.create = true}).ok());
    fs.SimulateCrash(CrashMode::kTearUnsynced, seed);
    const std::vector<std::string> names = fs.List("db").value();
    // Created in the order 1, 2, 3: the survivors must be 1..i.
    for (size_t i = 0; i < names.size(); ++i) EXPECT_EQ(names[i], std::to_string(i + 1)) << "seed " << seed;
    kept_counts.insert(names.size());
  }
  EXPECT_EQ(kept_counts, (std::set<size_t>{0, 1, 2, 3}));
}

// rename(2) is atomic: after a crash the file has its old name or its new one, never both
// or neither, and a replaced target keeps its old content until the rename survives.
TEST(FaultFsTearTest, RenameWithinADirectoryIsAtomic) {
  using Listing = std::map<std::string, std::string>;  // name -> content
  std::set<Listing> outcomes;
  for (uint64_t seed = 0; seed < 100; ++seed) {
    TearTrial t("db/tmp", "tmp");
    ASSERT_NE(t.file, nullptr);
    ASSERT_NE(MakeDurable(t.fs, "db/CURRENT", "CURRENT"), nullptr);
    ASSERT_TRUE(t.fs.Rename("db/tmp", "db/CURRENT").ok());
    t.fs.SimulateCrash(CrashMode::kTearUnsynced, seed);
    const std::vector<std::string> names = t.fs.List("db").value();
    Listing listing;
    for (const std::string& name : names) listing[name] = t.fs.Contents("db/" + name).value();
    outcomes.insert(std::move(listing));
  }
  const std::set<Listing> expected = {Listing{{"CURRENT", "CURRENT"}, {"tmp", "tmp"}},  // not kept
                                      Listing{{"CURRENT", "tmp"}}};                     // kept
  EXPECT_EQ(outcomes, expected);
}

TEST(FaultFsTearTest, SyncedDataIsNeverLostAndTheSeedRepeats) {
  auto run = [](uint64_t seed) {
    TearTrial t("db/a", "synced");
    if (t.file == nullptr) return std::string(kMissing);
    EXPECT_TRUE(Put(*t.file, 6, "-tail-of-unsynced-bytes").ok());
    EXPECT_TRUE(t.file->Truncate(10).ok());
    EXPECT_TRUE(Put(*t.file, 10, "more").ok());
    t.fs.SimulateCrash(CrashMode::kTearUnsynced, seed);
    return t.fs.Contents("db/a").value();
  };
  for (uint64_t seed = 0; seed < 100; ++seed) {
    const std::string s = run(seed);
    EXPECT_EQ(s.substr(0, 6), "synced") << "seed " << seed;
    EXPECT_EQ(s, run(seed)) << "seed " << seed;
  }
}

// --- Handles and locks across a crash ----------------------------------------------------

TEST_F(FaultFsTest, FilesOpenedBeforeACrashAreDead) {
  auto f = CreateDurable("db/a", "abc");
  ASSERT_NE(f, nullptr);
  fs_.SimulateCrash(CrashMode::kDropUnsynced);

  const std::string kDead = "reset by a simulated crash";
  Status w = Put(*f, 0, "x");
  EXPECT_EQ(w.code(), StatusCode::kIOError);
  EXPECT_TRUE(Contains(w.message(), kDead)) << w.ToString();
  char buf[4];
  size_t got = 0;
  EXPECT_TRUE(Contains(f->Read(0, buf, sizeof buf, &got).message(), kDead));
  EXPECT_TRUE(Contains(f->Sync().message(), kDead));
  EXPECT_TRUE(Contains(f->Truncate(0).message(), kDead));
  EXPECT_TRUE(Contains(f->Size().status().message(), kDead));
  EXPECT_EQ(ContentsOf("db/a"), "abc");  // none of it reached the new state
  f.reset();                             // destroying a dead handle is safe

  auto g = OpenExisting("db/a");
  ASSERT_NE(g, nullptr);
  EXPECT_TRUE(Put(*g, 3, "d").ok());
  EXPECT_EQ(ContentsOf("db/a"), "abcd");
}

TEST_F(FaultFsTest, SecondLockIsRefusedNamingTheHolder) {
  Result<std::unique_ptr<FileLock>> first = fs_.Lock("db/LOCK", "pid 42 on host-a");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(ContentsOf("db/LOCK"), "pid 42 on host-a\n");

  Result<std::unique_ptr<FileLock>> second = fs_.Lock("db//LOCK", "pid 43");
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kLocked);
  EXPECT_TRUE(Contains(second.status().message(), "pid 42 on host-a")) << second.status().ToString();
  EXPECT_TRUE(Contains(second.status().message(), "db/LOCK")) << second.status().ToString();

  EXPECT_TRUE(fs_.Lock("db/OTHER", "pid 43").ok());  // locks are per path
}

TEST_F(FaultFsTest, DestroyingALockReleasesIt) {
  {
    auto first = fs_.Lock("db/LOCK", "one");
    ASSERT_TRUE(first.ok());
  }
  auto second = fs_.Lock("db/LOCK", "two");
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(ContentsOf("db/LOCK"), "two\n");
}

TEST_F(FaultFsTest, ACrashReleasesLocksAndOldLocksCannotReleaseNewOnes) {
  auto old_lock = fs_.Lock("db/LOCK", "before");
  ASSERT_TRUE(old_lock.ok());
  fs_.SimulateCrash(CrashMode::kDropUnsynced);

  auto new_lock = fs_.Lock("db/LOCK", "after");
  ASSERT_TRUE(new_lock.ok()) << new_lock.status().ToString();
  old_lock.value().reset();  // destroys the pre-crash lock
  Result<std::unique_ptr<FileLock>> third = fs_.Lock("db/LOCK", "third");
  ASSERT_FALSE(third.ok());
  EXPECT_TRUE(Contains(third.status().message(), "after")) << third.status().ToString();
}

TEST_F(FaultFsTest, LockInAMissingDirectoryIsNotFound) {
  EXPECT_EQ(fs_.Lock("nodir/LOCK", "me").status().code(), StatusCode::kNotFound);
}

// --- Threads -----------------------------------------------------------------------------

TEST_F(FaultFsTest, ConcurrentWritesAtDisjointOffsets) {
  auto f = Create("db/a");
  ASSERT_NE(f, nullptr);
  constexpr int kThreads = 4, kBlocks = 50;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&f, t] {
      for (int b = 0; b < kBlocks; ++b) {
        const std::string block(8, static_cast<char>('a' + t));
        EXPECT_TRUE(Put(*f, static_cast<uint64_t>((b * kThreads + t) * 8), block).ok());
        if (b % 10 == 0) {
          EXPECT_TRUE(f->Sync().ok());
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  const std::string s = ContentsOf("db/a");
  ASSERT_EQ(s.size(), size_t{kThreads * kBlocks * 8});
  for (size_t i = 0; i < s.size(); ++i) ASSERT_EQ(s[i], 'a' + static_cast<int>((i / 8) % kThreads)) << i;
  EXPECT_EQ(fs_.io_count(), uint64_t{kThreads * (kBlocks + kBlocks / 10)});
}

}  // namespace
}  // namespace hastore
