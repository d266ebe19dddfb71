// Ownership (DESIGN §3, §5), with real processes and the real file system: with file locking a
// second single-server opener fails at once with kLocked naming the holder; a new owner with a
// higher lease epoch (with locking or without: a paused holder of the lock must not block a
// takeover) fences the old one, whose next commit reports kFenced (outcome unknown) and
// whose every later commit fails, while nothing the old owner acknowledged is lost.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <string>
#include <thread>

#include "common/temp_dir.h"
#include "hastore/storage/names.h"
#include "filestore/fault_workload.h"

namespace hastore::testing {
namespace {

constexpr int kPipeMillis = 30000;

// Reads exactly n bytes, or fails after kPipeMillis without data or at end of file.
bool ReadFull(int fd, void* out, size_t n) {
  char* p = static_cast<char*>(out);
  while (n > 0) {
    pollfd pfd{fd, POLLIN, 0};
    if (::poll(&pfd, 1, kPipeMillis) <= 0) return false;
    const ssize_t got = ::read(fd, p, n);
    if (got <= 0) return false;
    p += got;
    n -= static_cast<size_t>(got);
  }
  return true;
}

bool WriteFull(int fd, const void* data, size_t n) { return ::write(fd, data, n) == static_cast<ssize_t>(n); }

// Two pipes between a parent and the child it forks.
struct Channel {
  int to_child[2] = {-1, -1};
  int to_parent[2] = {-1, -1};
  bool Open() { return ::pipe(to_child) == 0 && ::pipe(to_parent) == 0; }
  void KeepChildEnds() {
    ::close(to_child[1]);
    ::close(to_parent[0]);
  }
  void KeepParentEnds() {
    ::close(to_child[0]);
    ::close(to_parent[1]);
  }
  int child_in() const { return to_child[0]; }
  int child_out() const { return to_parent[1]; }
  int parent_in() const { return to_parent[0]; }
  int parent_out() const { return to_child[1]; }
};

// Commits one create of `data` in connection "owned"; the handle, whatever the outcome.
Status CommitRecord(Store& store, const std::string& data, Handle* handle) {
  auto conn = store.OpenConnection("owned");
  if (!conn.ok()) return conn.status();
  Transaction t = store.Begin();
  auto h = t.Create(*conn, data);
  if (!h.ok()) return h.status();
  *handle = *h;
  return store.Commit(std::move(t));
}

std::map<Handle, std::string> ScanOwned(Store& store) {
  std::map<Handle, std::string> out;
  auto conn = store.OpenConnection("owned");
  EXPECT_TRUE(conn.ok()) << conn.status().ToString();
  if (!conn.ok()) return out;
  EXPECT_TRUE(store.Scan(*conn, [&](Handle h, std::string_view d) {
    out.emplace(h, std::string(d));
    return true;
  }).ok());
  return out;
}

// The child opens the store, commits one record, reports ready, and holds the store until told
// to close (or is killed).
[[noreturn]] void HoldStoreInChild(const StoreConfig& config, Channel& ch) {
  ch.KeepChildEnds();
  auto store = OpenFileStore(config, Ownership{0, "child-holder-xyz"});
  Handle h = 0;
  const char ready = store.ok() && CommitRecord(**store, "child's record", &h).ok() ? 'R' : 'E';
  if (!WriteFull(ch.child_out(), &ready, 1) || ready != 'R') ::_exit(2);
  char go = 0;
  (void)ReadFull(ch.child_in(), &go, 1);
  (void)(*store)->Close();
  ::_exit(0);
}

class OwnershipTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    config_.name = "owned";
    config_.file.directory = dir_.path();
    config_.file.max_file_size = 1048576;
  }

  // Forks a child that holds the store (HoldStoreInChild) and waits until it does.
  void StartHolder(Channel& ch, pid_t* pid) {
    ASSERT_TRUE(ch.Open());
    *pid = ::fork();
    ASSERT_GE(*pid, 0);
    if (*pid == 0) HoldStoreInChild(config_, ch);
    ch.KeepParentEnds();
    char ready = 0;
    ASSERT_TRUE(ReadFull(ch.parent_in(), &ready, 1));
    ASSERT_EQ(ready, 'R') << "the child could not open the store";
  }

  TempDir dir_;
  StoreConfig config_;
};

void ExpectRefusedWhileHeld(const StoreConfig& config) {
  auto second = OpenFileStore(config, Ownership{0, "parent"});
  ASSERT_FALSE(second.ok()) << "a second process opened a store another one holds";
  EXPECT_EQ(second.status().code(), StatusCode::kLocked) << second.status().ToString();
  EXPECT_NE(second.status().message().find("child-holder-xyz"), std::string::npos)
      << "the refusal must name the holder: " << second.status().message();
  // Reading is not owning: a read-only open needs no lock and sees the child's record.
  auto reader = OpenFileStore(config, Ownership{}, FileStoreOptions{.read_only = true});
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  auto records = ScanOwned(**reader);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records.begin()->second, "child's record");
  // Nor may a reader write: its commits are refused at once (there is no writer to wait for).
  Transaction txn = (*reader)->Begin();
  ASSERT_TRUE(txn.Remove(records.begin()->first).ok());
  EXPECT_EQ((*reader)->Commit(std::move(txn)).code(), StatusCode::kNotSupported);
  Transaction async = (*reader)->Begin();
  ASSERT_TRUE(async.Remove(records.begin()->first).ok());
  Status async_result;
  (*reader)->CommitAsync(std::move(async), [&](Status s) { async_result = std::move(s); });
  EXPECT_EQ(async_result.code(), StatusCode::kNotSupported);
}

TEST_F(OwnershipTest, SecondProcessIsRefusedWithTheHolderNamedUntilTheFirstCloses) {
  Channel ch;
  pid_t pid = -1;
  StartHolder(ch, &pid);
  if (HasFatalFailure()) return;
  ExpectRefusedWhileHeld(config_);
  const char go = 'G';
  ASSERT_TRUE(WriteFull(ch.parent_out(), &go, 1));
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ::close(ch.parent_in());
  ::close(ch.parent_out());

  auto mine = OpenFileStore(config_, Ownership{0, "parent"});
  ASSERT_TRUE(mine.ok()) << "after the holder closed: " << mine.status().ToString();
  EXPECT_EQ(ScanOwned(**mine).size(), 1u);
  EXPECT_GT((*mine)->Stats().epoch, 1u) << "each local owner takes the stored epoch plus one";
}

TEST_F(OwnershipTest, AKilledHolderReleasesTheStore) {
  Channel ch;
  pid_t pid = -1;
  StartHolder(ch, &pid);
  if (HasFatalFailure()) return;
  ExpectRefusedWhileHeld(config_);
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ::close(ch.parent_in());
  ::close(ch.parent_out());
  auto mine = OpenFileStore(config_, Ownership{0, "parent"});
  ASSERT_TRUE(mine.ok()) << "after the holder died: " << mine.status().ToString();
  EXPECT_EQ(ScanOwned(**mine).size(), 1u);
}

// The parameter: file locking enabled. With it the old owner holds the lock when the new one
// takes over under a higher epoch, and the takeover goes ahead all the same.
// A single-server opener holds the lock at the fence's epoch E (the stored one plus one): a
// lease epoch that is not newer than E could be writing beside it unfenced, so it is refused
// like any second opener; a newer one takes over and fences the holder.
TEST_F(OwnershipTest, ALeaseEpochTakesOverAHeldLockOnlyWhenNewerThanTheFence) {
  {
    // An owner before the tool, so that the fence is past 1 and fence - 1 below is an older
    // lease epoch, not 0 (single-server mode).
    auto earlier = OpenFileStore(config_, Ownership{0, "earlier"});
    ASSERT_TRUE(earlier.ok()) << earlier.status().ToString();
    EXPECT_TRUE((*earlier)->Close().ok());
  }
  auto tool = OpenFileStore(config_, Ownership{0, "tool"});
  ASSERT_TRUE(tool.ok()) << tool.status().ToString();
  const uint64_t fence = (*tool)->Stats().epoch;
  ASSERT_GE(fence, 2u);
  for (uint64_t epoch : {fence - 1, fence}) {
    auto refused = OpenFileStore(config_, Ownership{epoch, "lease"});
    ASSERT_FALSE(refused.ok()) << "epoch " << epoch << " opened beside the holder of epoch " << fence;
    EXPECT_EQ(refused.status().code(), StatusCode::kLocked) << refused.status().ToString();
    EXPECT_NE(refused.status().message().find("tool"), std::string::npos) << refused.status().message();
  }
  auto lease = OpenFileStore(config_, Ownership{fence + 1, "lease"});
  ASSERT_TRUE(lease.ok()) << lease.status().ToString();
  Handle h = 0;
  EXPECT_EQ(CommitRecord(**tool, "tool after the takeover", &h).code(), StatusCode::kFenced);
  EXPECT_TRUE(CommitRecord(**lease, "lease owner", &h).ok());
}

// After taking over from a holder of the lock, the new owner takes the lock as soon as the
// holder lets go, and single-server openers are refused again.
TEST_F(OwnershipTest, ATakeoverTakesTheLockOnceTheHolderLetsGo) {
  auto old_owner = OpenFileStore(config_, Ownership{1, "old owner"});
  ASSERT_TRUE(old_owner.ok()) << old_owner.status().ToString();
  auto owner = OpenFileStore(config_, Ownership{2, "new owner"});
  ASSERT_TRUE(owner.ok()) << owner.status().ToString();
  EXPECT_TRUE((*old_owner)->Close().ok());
  // The writer tries the lock after its commits, once a second. The probe holds the lock only
  // for a moment when it is free (an opener would bump the fence and fence the owner).
  const std::string lock_path = config_.file.directory + "/" + UpperInstance(config_.instance()) + ".LOCK";
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  Status probe;
  do {
    Handle h = 0;
    ASSERT_TRUE(CommitRecord(**owner, "commit", &h).ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    probe = FileSystem::Default()->Lock(lock_path, "probe").status();
  } while (probe.code() != StatusCode::kLocked && std::chrono::steady_clock::now() < until);
  EXPECT_EQ(probe.code(), StatusCode::kLocked) << probe.ToString();
  EXPECT_NE(probe.message().find("new owner"), std::string::npos) << probe.message();
  auto tool = OpenFileStore(config_, Ownership{0, "tool"});
  EXPECT_EQ(tool.status().code(), StatusCode::kLocked) << tool.status().ToString();
}

class FencingTest : public OwnershipTest, public ::testing::WithParamInterface<bool> {
 protected:
  void SetUp() override {
    OwnershipTest::SetUp();
    config_.file.file_locking_enabled = GetParam();
  }

  // After the takeover: epoch 1 is refused, and epoch 3 sees exactly what A acknowledged before
  // the takeover and what B acknowledged; A's fenced commit was written past B's seal, which
  // recovery ignores (DESIGN §5).
  void CheckAfterTakeover(const std::map<Handle, std::string>& a_acked, const std::map<Handle, std::string>& b_acked,
                          Handle fenced) {
    auto stale = OpenFileStore(config_, Ownership{1, "A again"});
    ASSERT_FALSE(stale.ok()) << "epoch 1 opened after epoch 2 took over";
    EXPECT_EQ(stale.status().code(), StatusCode::kFenced) << stale.status().ToString();

    auto c = OpenFileStore(config_, Ownership{3, "C"});
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    std::map<Handle, std::string> want = a_acked;
    want.insert(b_acked.begin(), b_acked.end());
    EXPECT_EQ(ScanOwned(**c), want);
    // The fenced commit's handle is never given to another record (each epoch has its own
    // handle range), so a client settling that unknown outcome cannot mistake B's record for
    // A's; and A's bytes written past B's seal are ignored.
    EXPECT_EQ(want.count(fenced), 0u) << "handle " << fenced << " of A's fenced commit was reissued";
    auto late = (*c)->Read(fenced);
    EXPECT_EQ(late.status().code(), StatusCode::kNotFound) << "A's write past the seal must be ignored";
    Handle h = 0;
    EXPECT_TRUE(CommitRecord(**c, "C works", &h).ok());
  }

  // B takes over with epoch 2 and recovers what A acknowledged.
  void TakeOver(std::unique_ptr<Store>* b, const std::map<Handle, std::string>& a_acked) {
    auto opened = OpenFileStore(config_, Ownership{2, "B"});
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    *b = std::move(opened).value();
    EXPECT_EQ(ScanOwned(**b), a_acked) << "B recovers what A acknowledged";
  }

  // B's commits work; returns what it acknowledged.
  std::map<Handle, std::string> CommitAsB(Store& b) {
    std::map<Handle, std::string> acked;
    for (int i = 0; i < 3; ++i) {
      Handle h = 0;
      const std::string data = "B-" + std::to_string(i);
      Status s = CommitRecord(b, data, &h);
      EXPECT_TRUE(s.ok()) << s.ToString();
      if (s.ok()) acked[h] = data;
    }
    return acked;
  }
};

// Both owners in this process.
TEST_P(FencingTest, NewEpochFencesTheOldOwnerInOneProcess) {
  auto a = OpenFileStore(config_, Ownership{1, "A"});
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  std::map<Handle, std::string> a_acked;
  for (int i = 0; i < 3; ++i) {
    Handle h = 0;
    const std::string data = "A-" + std::to_string(i);
    ASSERT_TRUE(CommitRecord(**a, data, &h).ok());
    a_acked[h] = data;
  }

  std::unique_ptr<Store> b;
  TakeOver(&b, a_acked);
  ASSERT_NE(b, nullptr);

  Handle fenced = 0;
  Status s = CommitRecord(**a, "A after takeover", &fenced);
  EXPECT_EQ(s.code(), StatusCode::kFenced) << s.ToString();
  EXPECT_TRUE(s.outcome_unknown());
  EXPECT_EQ((*a)->Health().code(), StatusCode::kFenced);
  EXPECT_EQ((*a)->Stats().state, "fenced");
  for (int i = 0; i < 3; ++i) {
    Handle h = 0;
    EXPECT_FALSE(CommitRecord(**a, "A later", &h).ok()) << "a fenced owner committed";
  }

  const std::map<Handle, std::string> b_acked = CommitAsB(*b);
  EXPECT_TRUE((*a)->Close().ok());
  EXPECT_TRUE(b->Close().ok());
  CheckAfterTakeover(a_acked, b_acked, fenced);
}

// The old owner in a child process: what it reports through a pipe.
struct FencedReport {
  Handle handle;
  int32_t code;
  int32_t outcome_unknown;
};

TEST_P(FencingTest, NewEpochFencesAnOwnerInAnotherProcess) {
  Channel ch;
  ASSERT_TRUE(ch.Open());
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // A: three acknowledged commits, reported; then, once B has taken over, one more commit
    // and two later ones, each reported with its outcome, then its health.
    ch.KeepChildEnds();
    auto a = OpenFileStore(config_, Ownership{1, "A"});
    if (!a.ok()) ::_exit(2);
    for (int i = 0; i < 3; ++i) {
      FencedReport r{0, 0, 0};
      r.code = static_cast<int32_t>(CommitRecord(**a, "A-" + std::to_string(i), &r.handle).code());
      if (!WriteFull(ch.child_out(), &r, sizeof r)) ::_exit(3);
    }
    char go = 0;
    if (!ReadFull(ch.child_in(), &go, 1)) ::_exit(4);
    for (int i = 0; i < 3; ++i) {
      FencedReport r{0, 0, 0};
      Status s = CommitRecord(**a, "A after takeover " + std::to_string(i), &r.handle);
      r.code = static_cast<int32_t>(s.code());
      r.outcome_unknown = s.outcome_unknown();
      if (!WriteFull(ch.child_out(), &r, sizeof r)) ::_exit(5);
    }
    FencedReport health{0, static_cast<int32_t>((*a)->Health().code()), 0};
    if (!WriteFull(ch.child_out(), &health, sizeof health)) ::_exit(6);
    (void)(*a)->Close();
    ::_exit(0);
  }
  ch.KeepParentEnds();
  std::map<Handle, std::string> a_acked;
  for (int i = 0; i < 3; ++i) {
    FencedReport r;
    ASSERT_TRUE(ReadFull(ch.parent_in(), &r, sizeof r));
    ASSERT_EQ(r.code, static_cast<int32_t>(StatusCode::kOk)) << "A's commit " << i;
    a_acked[r.handle] = "A-" + std::to_string(i);
  }

  std::unique_ptr<Store> b;
  TakeOver(&b, a_acked);
  ASSERT_NE(b, nullptr);
  const char go = 'G';
  ASSERT_TRUE(WriteFull(ch.parent_out(), &go, 1));

  FencedReport first;
  ASSERT_TRUE(ReadFull(ch.parent_in(), &first, sizeof first));
  EXPECT_EQ(first.code, static_cast<int32_t>(StatusCode::kFenced)) << "A's first commit after the takeover";
  EXPECT_TRUE(first.outcome_unknown);
  for (int i = 1; i < 3; ++i) {
    FencedReport later;
    ASSERT_TRUE(ReadFull(ch.parent_in(), &later, sizeof later));
    EXPECT_NE(later.code, static_cast<int32_t>(StatusCode::kOk)) << "A's commit " << i << " after the takeover";
  }
  FencedReport health;
  ASSERT_TRUE(ReadFull(ch.parent_in(), &health, sizeof health));
  EXPECT_EQ(health.code, static_cast<int32_t>(StatusCode::kFenced)) << "A's health";
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ::close(ch.parent_in());
  ::close(ch.parent_out());

  const std::map<Handle, std::string> b_acked = CommitAsB(*b);
  EXPECT_TRUE(b->Close().ok());
  CheckAfterTakeover(a_acked, b_acked, first.handle);
}

INSTANTIATE_TEST_SUITE_P(FileLocking, FencingTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) { return info.param ? "locking" : "no_locking"; });

}  // namespace
}  // namespace hastore::testing
