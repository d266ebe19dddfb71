// Replication daemons as processes (`hastore rsd`): kill -9 of an instance's primary while a
// store commits through it, the store going on on the peer, the daemon coming back and taking
// what it missed before it serves, then the peer killed: every acknowledged record is on the
// returned daemon. A paused daemon (SIGSTOP) is taken for gone as well.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <gtest/gtest.h>

#include "common/eventually.h"
#include "common/temp_dir.h"
#include "hastore/replicated/daemon_admin.h"
#include "hastore/replicated/replicated_store.h"

namespace hastore::testing {
namespace {

class RsdProcesses : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = replicated::LoopbackDaemons(2, dir_.path(), 8ull << 20);
    config_.flush_interval_ms = 100;
    path_ = dir_.path() + "/rsd.toml";
    std::ofstream(path_) << replicated::FormatDaemonConfig(config_);
    for (int i : {0, 1}) Start(i);
    ASSERT_TRUE(Eventually([&] { return Serving(0) && Serving(1); }));
  }
  void TearDown() override {
    for (pid_t& p : pids_) {
      if (p > 0) {
        ::kill(p, SIGCONT);
        ::kill(p, SIGKILL);
        ::waitpid(p, nullptr, 0);
      }
    }
  }
  void Start(int i) {
    const pid_t pid = ::fork();
    if (pid == 0) {
      const std::string log = dir_.path() + "/rsd" + std::to_string(i) + ".log";
      FILE* f = std::freopen(log.c_str(), "a", stderr);
      (void)f;
      const std::string index = std::to_string(i);
      ::execl(HASTORE_BINARY_DIR "/tools/hastore", "hastore", "rsd", "--config", path_.c_str(), "--index", index.c_str(),
              static_cast<char*>(nullptr));
      ::_exit(127);
    }
    pids_[i] = pid;
  }
  void Kill(int i) {
    ::kill(pids_[i], SIGKILL);
    ::waitpid(pids_[i], nullptr, 0);
    pids_[i] = -1;
  }
  bool Serving(int i) {
    const replicated::DaemonInfo d = replicated::QueryDaemon(config_, i);
    return d.reachable.ok() && d.serving;
  }
  Result<std::unique_ptr<Store>> Open(uint64_t epoch) {
    StoreConfig c;
    c.name = "queue";
    c.kind = StoreKind::kReplicated;
    c.replicated.daemons = path_;
    return OpenReplicatedStore(c, Ownership{epoch, "test"});
  }
  static Result<Handle> Put(Store& store, const std::string& data) {
    Result<Connection> c = store.OpenConnection("c");
    if (!c.ok()) return c.status();
    Transaction t = store.Begin();
    Result<Handle> h = t.Create(*c, data);
    if (!h.ok()) return h.status();
    Status s = store.Commit(std::move(t));
    if (!s.ok()) return s;
    return h;
  }

  // Opens the store under a new epoch and reads back every acknowledged record.
  void ExpectEveryRecord(const std::map<Handle, std::string>& acked) {
    auto reopened = Open(2);
    ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
    for (const auto& [h, data] : acked) {
      auto r = (*reopened)->Read(h);
      ASSERT_TRUE(r.ok()) << h << ": " << r.status().ToString();
      EXPECT_EQ(*r, data);
    }
  }

  TempDir dir_;
  replicated::DaemonConfig config_;
  std::string path_;
  pid_t pids_[2] = {-1, -1};
};

TEST_F(RsdProcesses, AKilledDaemonsClientsGoOnOnThePeerAndItResynchronisesWhenItReturns) {
  const auto [primary, peer] = config_.PairOf("queue");
  auto store = Open(1);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  std::map<Handle, std::string> acked;
  auto put = [&](int i) {
    Result<Handle> h = Put(**store, "m" + std::to_string(i));
    ASSERT_TRUE(h.ok()) << i << ": " << h.status().ToString();
    acked[*h] = "m" + std::to_string(i);
  };
  for (int i = 0; i < 100; ++i) put(i);
  Kill(primary);
  for (int i = 100; i < 200; ++i) put(i);  // on the peer, alone
  Start(primary);
  ASSERT_TRUE(Eventually([&] { return Serving(primary); })) << "the returned daemon never served";
  const replicated::DaemonInfo p = replicated::QueryDaemon(config_, peer);
  ASSERT_EQ(p.instances.size(), 1u);
  EXPECT_FALSE(p.instances[0].partner_stale) << "served before it had what it missed";
  for (int i = 200; i < 300; ++i) put(i);  // both copies again
  ASSERT_TRUE((*store)->Close().ok());

  Kill(peer);  // only the returned daemon's copy is left
  ExpectEveryRecord(acked);
}

TEST_F(RsdProcesses, APausedPeerIsGoneForTheClientWhichGoesOnAndNothingIsLost) {
  const auto [primary, peer] = config_.PairOf("queue");
  auto store = Open(1);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  std::map<Handle, std::string> acked;
  for (int i = 0; i < 50; ++i) {
    Result<Handle> h = Put(**store, "a" + std::to_string(i));
    ASSERT_TRUE(h.ok());
    acked[*h] = "a" + std::to_string(i);
  }
  ::kill(pids_[peer], SIGSTOP);  // a partition between the daemons, as the primary sees it
  for (int i = 0; i < 50; ++i) {
    Result<Handle> h = Put(**store, "b" + std::to_string(i));
    ASSERT_TRUE(h.ok()) << h.status().ToString();
    acked[*h] = "b" + std::to_string(i);
  }
  const replicated::DaemonInfo alone = replicated::QueryDaemon(config_, primary);
  ASSERT_EQ(alone.instances.size(), 1u);
  EXPECT_TRUE(alone.instances[0].partner_stale) << "the primary did not notice its paused peer";
  ::kill(pids_[peer], SIGCONT);
  ASSERT_TRUE(Eventually([&] {
    const replicated::DaemonInfo d = replicated::QueryDaemon(config_, primary);
    return d.instances.size() == 1 && !d.instances[0].partner_stale;
  })) << "the primary never pushed the instance to its peer";
  ASSERT_TRUE((*store)->Close().ok());
  Kill(primary);
  ExpectEveryRecord(acked);
}

}  // namespace
}  // namespace hastore::testing
