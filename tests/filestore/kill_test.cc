// SIGKILL in the middle of group commit, on the real file system: a child process runs 64
// writer threads, each reporting every acknowledged commit to the parent through one shared
// pipe; the parent kills it after a few thousand, reopens the store and finds every
// acknowledged record with its exact bytes, and nothing else but at most the one commit each
// thread had in flight, whole. The same store is killed again in every round.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/temp_dir.h"
#include "filestore/fault_workload.h"

namespace hastore::testing {
namespace {

constexpr int kWriters = 64;
constexpr size_t kAcksPerRound = 3000;
constexpr int kPollMillis = 60000;  // a child that stops reporting for this long is hung

// One acknowledged commit, as the child reports it (16 bytes: pipe writes of it are atomic).
struct Ack {
  Handle handle;
  uint32_t writer;
  uint32_t index;
};
static_assert(sizeof(Ack) == 16);

// The record of the index-th commit of a writer in a round: parseable, and of varied length.
std::string KillRecord(int round, uint32_t writer, uint32_t index) {
  std::string out = "r" + std::to_string(round) + "w" + std::to_string(writer) + "i" + std::to_string(index) + "|";
  const size_t filler = 20 + (writer * 7 + index * 13) % 300;
  for (size_t k = 0; k < filler; ++k) out.push_back(static_cast<char>('a' + (writer + index + k) % 26));
  return out;
}

bool ParseKillRecord(std::string_view data, int* round, uint32_t* writer, uint32_t* index) {
  const std::string head(data.substr(0, 40));
  return std::sscanf(head.c_str(), "r%dw%ui%u|", round, writer, index) == 3;
}

// The child: opens the store and commits from kWriters threads until it is killed.
[[noreturn]] void RunWriters(const StoreConfig& config, int round, int ack_fd) {
  auto store = OpenFileStore(config, Ownership{0, "kill-test child"});
  if (!store.ok()) ::_exit(10);
  auto conn = (*store)->OpenConnection("kill");
  if (!conn.ok()) ::_exit(11);
  std::mutex pipe_mu;
  std::vector<std::thread> writers;
  for (uint32_t w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (uint32_t i = 0;; ++i) {
        Transaction t = (*store)->Begin();
        auto h = t.Create(*conn, KillRecord(round, w, i));
        if (!h.ok()) ::_exit(12);
        if (!(*store)->Commit(std::move(t)).ok()) ::_exit(13);
        const Ack ack{*h, w, i};
        std::lock_guard lock(pipe_mu);
        if (::write(ack_fd, &ack, sizeof ack) != static_cast<ssize_t>(sizeof ack)) ::_exit(14);
      }
    });
  }
  for (auto& t : writers) t.join();
  ::_exit(15);
}

class KillTest : public ::testing::Test {
 protected:
  // One round: fork, collect acknowledgements, SIGKILL, drain, reap. Appends to acked_.
  void KillOneRound(int round) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      RunWriters(config_, round, fds[1]);
    }
    ::close(fds[1]);
    std::string buf;
    size_t acks = 0;
    bool killed = false;
    auto consume = [&] {
      while (buf.size() >= sizeof(Ack)) {
        Ack a;
        std::memcpy(&a, buf.data(), sizeof a);
        buf.erase(0, sizeof a);
        EXPECT_TRUE(acked_.emplace(a.handle, KillRecord(round, a.writer, a.index)).second) << "handle " << a.handle << " acknowledged twice";
        auto& last = last_acked_[std::make_pair(round, a.writer)];
        EXPECT_EQ(a.index, last) << "writer " << a.writer << " acknowledged out of order";
        last = a.index + 1;
        ++acks;
      }
    };
    for (;;) {
      if (!killed && acks >= kAcksPerRound) {
        ASSERT_EQ(::kill(pid, SIGKILL), 0);
        killed = true;
      }
      pollfd p{fds[0], POLLIN, 0};
      if (!killed && ::poll(&p, 1, kPollMillis) == 0) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
        ::close(fds[0]);
        FAIL() << "the child reported nothing for " << kPollMillis << " ms after " << acks << " acknowledgements";
      }
      char chunk[4096];
      const ssize_t n = ::read(fds[0], chunk, sizeof chunk);
      if (n <= 0) break;  // every writer end is closed: the child is dead
      buf.append(chunk, static_cast<size_t>(n));
      consume();
    }
    ::close(fds[0]);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "the child ended on its own (exit code " << (WIFEXITED(status) ? WEXITSTATUS(status) : -1) << ") after "
        << acks << " acknowledgements";
    EXPECT_TRUE(buf.empty()) << "a torn acknowledgement in the pipe";
    EXPECT_GE(acks, kAcksPerRound);
  }

  // Every acknowledged record, exactly; besides them only whole records of the commit each
  // writer had in flight when it died.
  void CheckStore() {
    auto store = OpenFileStore(config_, Ownership{0, "kill-test parent"});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto conn = (*store)->OpenConnection("kill");
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    std::map<Handle, std::string> found;
    std::set<std::pair<int, uint32_t>> in_flight;  // (round, writer) with a commit in flight found
    ASSERT_TRUE((*store)->Scan(*conn, [&](Handle h, std::string_view d) {
      found.emplace(h, std::string(d));
      return true;
    }).ok());
    for (const auto& [h, data] : acked_) {
      auto it = found.find(h);
      if (it == found.end()) {
        ADD_FAILURE() << "acknowledged handle " << h << " (" << data.substr(0, data.find('|')) << ") is missing";
      } else if (it->second != data) {
        ADD_FAILURE() << "acknowledged handle " << h << " holds other bytes";
      }
    }
    for (const auto& [h, data] : found) {
      if (acked_.count(h)) continue;
      int round = 0;
      uint32_t writer = 0, index = 0;
      ASSERT_TRUE(ParseKillRecord(data, &round, &writer, &index)) << "handle " << h << " holds no record of the test";
      EXPECT_EQ(data, KillRecord(round, writer, index)) << "handle " << h << " is torn";
      const uint32_t next = last_acked_[std::make_pair(round, writer)];
      EXPECT_EQ(index, next) << "handle " << h << ": round " << round << " writer " << writer
                                                      << " commit " << index << " was neither acknowledged nor in flight";
      EXPECT_TRUE(in_flight.insert({round, writer}).second) << "two unacknowledged commits of one writer";
    }
    ASSERT_TRUE((*store)->Close().ok());
  }

  TempDir dir_;
  StoreConfig config_ = [this] {
    StoreConfig c = FaultStoreConfig(SyncPolicy::kDirectWrite, "kill");
    c.file.directory = dir_.path();
    return c;
  }();
  std::map<Handle, std::string> acked_;
  std::map<std::pair<int, uint32_t>, uint32_t> last_acked_;  // (round, writer) -> acknowledged commits
};

TEST_F(KillTest, SigkillLosesNoAcknowledgedCommit) {
  ASSERT_FALSE(dir_.path().empty());
  const int rounds = 3 * SoakFactor();
  for (int round = 0; round < rounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    KillOneRound(round);
    if (HasFatalFailure()) return;
    CheckStore();
    if (HasFailure()) return;
  }
}

}  // namespace
}  // namespace hastore::testing
