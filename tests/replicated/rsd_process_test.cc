// Replication daemons as processes (`hastore rsd`): kill -9 of an instance's primary while a
// store commits through it, the store going on on the peer, the daemon coming back and taking
// what it missed before it serves, then the peer killed: every acknowledged record is on the
// returned daemon. A paused daemon (SIGSTOP) is taken for gone as well. Partitions: each daemon
// in a network namespace of its own, with veth links to the test (the clients' side) and
// between the two daemons, and a link cut and restored while a store commits.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <iostream>
#include <set>
#include <thread>
#include <fstream>
#include <gtest/gtest.h>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/eventually.h"
#include "common/temp_dir.h"
#include "common/whole_file.h"
#include "hastore/replicated/daemon_admin.h"
#include "hastore/replicated/replicated_store.h"

namespace hastore::testing {
namespace {

class RsdProcesses : public ::testing::Test {
 protected:
  void SetUp() override { StartDaemons(replicated::LoopbackDaemons(2, dir_.path(), 8ull << 20)); }
  // Writes `config` for the daemons (and the test's stores), starts both and waits until they serve.
  void StartDaemons(replicated::DaemonConfig config) {
    config_ = std::move(config);
    config_.flush_interval_ms = 100;
    path_ = dir_.path() + "/rsd.toml";
    std::ofstream(path_) << replicated::FormatDaemonConfig(config_);
    for (int i : {0, 1}) Start(i);
    ASSERT_TRUE(Eventually([&] { return Serving(0) && Serving(1); }));
  }
  // What daemon i's command line starts with (the partition tests run it in its namespace).
  virtual std::vector<std::string> Launcher(int) const { return {}; }
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
      std::vector<std::string> args = Launcher(i);
      for (const std::string a : {HASTORE_BINARY_DIR "/tools/hastore", "rsd", "--config", path_.c_str(), "--index"})
        args.push_back(a);
      args.push_back(std::to_string(i));
      std::vector<char*> argv;
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execvp(argv[0], argv.data());
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

  // Commits n records "<prefix><i>", each acknowledged, into `acked`.
  void PutMany(Store& store, const std::string& prefix, int n, std::map<Handle, std::string>* acked) {
    for (int i = 0; i < n; ++i) {
      Result<Handle> h = Put(store, prefix + std::to_string(i));
      ASSERT_TRUE(h.ok()) << prefix << i << ": " << h.status().ToString();
      (*acked)[*h] = prefix + std::to_string(i);
    }
  }
  // Both daemons' logs, for failure messages.
  std::string Logs() const {
    return "\n--- rsd0.log\n" + ReadWholeFile(dir_.path() + "/rsd0.log") + "--- rsd1.log\n" + ReadWholeFile(dir_.path() + "/rsd1.log");
  }
  // Whether `daemon` marks the test's one instance as missed by its partner; nullopt when the
  // daemon does not answer or does not hold exactly that instance.
  std::optional<bool> PartnerStale(int daemon) {
    const replicated::DaemonInfo d = replicated::QueryDaemon(config_, daemon);
    if (!d.reachable.ok() || d.instances.size() != 1) return std::nullopt;
    return d.instances[0].partner_stale;
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
  ASSERT_NO_FATAL_FAILURE(PutMany(**store, "before ", 100, &acked));
  Kill(primary);
  ASSERT_NO_FATAL_FAILURE(PutMany(**store, "alone ", 100, &acked));  // on the peer
  Start(primary);
  ASSERT_TRUE(Eventually([&] { return Serving(primary); })) << "the returned daemon never served";
  EXPECT_EQ(PartnerStale(peer), false) << "served before it had what it missed" << Logs();
  ASSERT_NO_FATAL_FAILURE(PutMany(**store, "after ", 100, &acked));  // both copies again
  ASSERT_TRUE((*store)->Close().ok());

  Kill(peer);  // only the returned daemon's copy is left
  ExpectEveryRecord(acked);
}

// The outcome contract with the primary killed while commits are in flight (a writer thread
// commits without pause; the kill lands inside one of its commits): every commit is acknowledged
// or fails with exactly one class, every acknowledged one is on the peer, and none that failed
// as not applied is there.
TEST_F(RsdProcesses, ThePrimaryKilledMidCommitLeavesNothingFalselyReported) {
  const int primary = config_.PairOf("queue").first;
  auto store = Open(1);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  std::map<Handle, std::string> acked;
  ASSERT_NO_FATAL_FAILURE(PutMany(**store, "before ", 20, &acked));
  std::atomic<int> done{0};
  std::map<std::string, Status> failed;
  std::thread writer([&] {
    for (int i = 0; i < 400; ++i) {
      const std::string data = "mid " + std::to_string(i);
      Result<Handle> h = Put(**store, data);
      if (h.ok()) {
        acked[*h] = data;
      } else {
        failed.emplace(data, h.status());
      }
      done = i + 1;
    }
  });
  ASSERT_TRUE(Eventually([&] { return done.load() >= 50; }));
  Kill(primary);
  writer.join();
  for (const auto& [data, s] : failed) EXPECT_NE(s.not_applied(), s.outcome_unknown()) << data << ": " << s.ToString();
  std::cout << acked.size() << " acknowledged, " << failed.size() << " failed around the kill\n";
  (void)(*store)->Close();
  store->reset();

  auto later = Open(2);
  ASSERT_TRUE(later.ok()) << later.status().ToString();
  for (const auto& [h, data] : acked) {
    auto r = (*later)->Read(h);
    ASSERT_TRUE(r.ok()) << h << ": " << r.status().ToString() << Logs();
    EXPECT_EQ(*r, data);
  }
  auto c = (*later)->OpenConnection("c");
  ASSERT_TRUE(c.ok());
  std::set<std::string> stored;
  ASSERT_TRUE((*later)->Scan(*c, [&](Handle, std::string_view d) {
    stored.emplace(d);
    return true;
  }).ok());
  for (const auto& [data, s] : failed) {
    if (s.not_applied()) {
      EXPECT_EQ(stored.count(data), 0u) << "'" << data << "' appeared after " << s.ToString();
    }
  }
}

// `hastore rsd-admin` with a key that is not the daemons': every request is refused (exit 1,
// the reason on stderr), the instance stays as it was and the daemon keeps running.
TEST_F(RsdProcesses, RsdAdminWithAWrongKeyIsRefusedAndChangesNothing) {
  {
    auto store = Open(1);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    ASSERT_TRUE(Put(**store, "kept").ok());
    ASSERT_TRUE((*store)->Close().ok());
  }
  const auto held = [&] {
    std::string out;
    for (int i : {0, 1}) {
      for (const replicated::HeldInstanceInfo& h : replicated::QueryDaemon(config_, i).instances) {
        out += std::to_string(i) + " " + h.instance + " " + std::to_string(h.epoch) + " " + h.session + "\n";
        for (const replicated::RegionInfo& f : h.files) out += "  " + f.name + " " + std::to_string(f.bytes) + "\n";
      }
    }
    return out;
  };
  const std::string before = held();
  ASSERT_NE(before.find("queue"), std::string::npos) << before;
  const std::string wrong = dir_.path() + "/wrong.key";
  ASSERT_TRUE(WriteWholeFile(wrong, std::string(32, 'w')));
  ASSERT_EQ(::chmod(wrong.c_str(), 0600), 0);
  const std::string err = dir_.path() + "/admin.err";
  const auto admin = [&](const std::string& args) {
    const std::string cmd = std::string(HASTORE_BINARY_DIR "/tools/hastore rsd-admin ") + args + " --config " + path_ +
                            " --key-file " + wrong + " 2>" + err + " >/dev/null";
    return WEXITSTATUS(std::system(cmd.c_str()));
  };
  EXPECT_EQ(admin("shutdown --force --index 0"), 1);
  EXPECT_NE(ReadWholeFile(err).find("holds another key than this side's"), std::string::npos) << ReadWholeFile(err);
  EXPECT_EQ(admin("remove queue"), 1);
  EXPECT_NE(ReadWholeFile(err).find("holds another key than this side's"), std::string::npos) << ReadWholeFile(err);
  EXPECT_EQ(admin("regions"), 1);
  EXPECT_TRUE(Serving(0) && Serving(1)) << Logs();
  EXPECT_EQ(held(), before);
  EXPECT_NE(Logs().find("at its handshake"), std::string::npos) << Logs();
  // The control: with the daemons' own key, the same remove goes through.
  const std::string ok = std::string(HASTORE_BINARY_DIR "/tools/hastore rsd-admin remove queue --config ") + path_ + " >/dev/null 2>&1";
  EXPECT_EQ(WEXITSTATUS(std::system(ok.c_str())), 0);
  EXPECT_EQ(held().find("queue"), std::string::npos);
}

// `hastore rsd` does not start on a key file others may read, nor on a short one: exit 2 (bad input), the
// file named on stderr (a daemon that started would run until `timeout` stopped it: 124).
TEST_F(RsdProcesses, RsdRefusesToStartWithAKeyFileOthersMayReadOrTooShort) {
  const std::string key = dir_.path() + "/open.key";
  replicated::DaemonConfig c = config_;
  c.auth_key_file = key;
  const std::string path = dir_.path() + "/open.toml";
  std::ofstream(path) << replicated::FormatDaemonConfig(c);
  const std::string err = dir_.path() + "/rsd.err";
  const auto rsd = [&] {
    const std::string cmd = "timeout 10 " HASTORE_BINARY_DIR "/tools/hastore rsd --index 0 --config " + path + " 2>" + err;
    return WEXITSTATUS(std::system(cmd.c_str()));
  };
  ASSERT_TRUE(WriteWholeFile(key, std::string(32, 'k')));
  ASSERT_EQ(::chmod(key.c_str(), 0644), 0);
  EXPECT_EQ(rsd(), 2);
  EXPECT_NE(ReadWholeFile(err).find(key + " is open to group or others (mode 0644)"), std::string::npos) << ReadWholeFile(err);
  ASSERT_TRUE(WriteWholeFile(key, std::string(16, 'k')));
  ASSERT_EQ(::chmod(key.c_str(), 0600), 0);
  EXPECT_EQ(rsd(), 2);
  EXPECT_NE(ReadWholeFile(err).find(key + " holds 16 bytes; at least 32"), std::string::npos) << ReadWholeFile(err);
}

TEST_F(RsdProcesses, APausedPeerIsGoneForTheClientWhichGoesOnAndNothingIsLost) {
  const auto [primary, peer] = config_.PairOf("queue");
  auto store = Open(1);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  std::map<Handle, std::string> acked;
  ASSERT_NO_FATAL_FAILURE(PutMany(**store, "before ", 50, &acked));
  ::kill(pids_[peer], SIGSTOP);  // a partition between the daemons, as the primary sees it
  ASSERT_NO_FATAL_FAILURE(PutMany(**store, "paused ", 50, &acked));
  EXPECT_EQ(PartnerStale(primary), true) << "the primary did not notice its paused peer" << Logs();
  ::kill(pids_[peer], SIGCONT);
  ASSERT_TRUE(Eventually([&] { return PartnerStale(primary) == false; })) << "the primary never pushed the instance to its peer";
  ASSERT_TRUE((*store)->Close().ok());
  Kill(primary);
  ExpectEveryRecord(acked);
}

// Daemon 0 in namespace A, daemon 1 in B, each on an address of its loopback (10.231.0.1 and
// 10.231.0.2) that the others reach by routes over veth links: one from each to the test's
// namespace, where the stores run, and one between the two:
//
//   test 10.231.1.1 --- 10.231.1.2 A [10.231.0.1]             test 10.231.2.1 --- 10.231.2.2 B [10.231.0.2]
//                                  A 10.231.3.1 ------------------------------- 10.231.3.2 B
//
// A link cut is the veth deleted: what is in flight on it is lost, and the daemons and clients
// see silence on their connections and "no route" on new ones. Skipped where namespaces cannot be
// made (not root); the SIGSTOP test above stands in for a partition there.
class RsdPartition : public RsdProcesses {
 protected:
  void SetUp() override {
    static int tests = 0;
    const std::string id = std::to_string(::getpid() % 100000) + "x" + std::to_string(tests++ % 100);
    ns_[0] = "hastore-a-" + id;
    ns_[1] = "hastore-b-" + id;
    outer_[0] = "hsa" + id;  // interface names: at most 15 characters
    outer_[1] = "hsb" + id;
    RemoveStaleNamespaces();
    if (!Sh("ip netns add " + ns_[0])) GTEST_SKIP() << "network namespaces are not available here";
    made_ = true;
    ASSERT_TRUE(Sh("ip netns add " + ns_[1]));
    for (int i : {0, 1}) {
      ASSERT_TRUE(Sh("ip -n " + ns_[i] + " link set lo up"));
      ASSERT_TRUE(Sh("ip -n " + ns_[i] + " addr add " + DaemonIp(i) + "/32 dev lo"));
    }
    for (int i : {0, 1}) ASSERT_TRUE(LinkToTest(i, true));
    ASSERT_TRUE(LinkBetweenDaemons(true));
    replicated::DaemonConfig c = replicated::LoopbackDaemons(0, dir_.path(), 8ull << 20);  // its key, no daemons
    for (int i : {0, 1}) {  // a namespace's ports are its own
      c.daemons.push_back({DaemonIp(i) + ":7401", "", dir_.path() + "/rsd" + std::to_string(i)});
    }
    ASSERT_NO_FATAL_FAILURE(StartDaemons(std::move(c)));
  }
  void TearDown() override {
    RsdProcesses::TearDown();
    if (made_) {
      // The links to the test at once (a namespace goes away in the background, and its links
      // with it), so that the next test can make its own with the same addresses.
      for (int i : {0, 1}) Sh("ip link del " + outer_[i] + " 2>/dev/null");
      for (int i : {0, 1}) Sh("ip netns del " + ns_[i] + " 2>/dev/null");
    }
  }
  std::vector<std::string> Launcher(int i) const override { return {"ip", "netns", "exec", ns_[i]}; }
  // Namespaces (and their daemons) left by a run of this test that was killed before its
  // TearDown: their links would hold the addresses and routes this run makes.
  static void RemoveStaleNamespaces() {
    Sh("for ns in $(ip netns list 2>/dev/null | awk '/^hastore-[ab]-/ {print $1}'); do "
       "ip netns pids $ns | xargs -r kill -9; ip netns del $ns; done");
  }

  static std::string DaemonIp(int i) { return "10.231.0." + std::to_string(i + 1); }
  // Makes (up) or cuts (down) the link between the test and daemon i.
  bool LinkToTest(int i, bool up) {
    if (!up) return Sh("ip link del " + outer_[i]);
    const std::string net = "10.231." + std::to_string(i + 1);
    return Sh("ip link add " + outer_[i] + " type veth peer name up0 netns " + ns_[i]) &&
           Sh("ip addr add " + net + ".1/24 dev " + outer_[i]) && Sh("ip link set " + outer_[i] + " up") &&
           Sh("ip -n " + ns_[i] + " addr add " + net + ".2/24 dev up0") && Sh("ip -n " + ns_[i] + " link set up0 up") &&
           Sh("ip route replace " + DaemonIp(i) + "/32 via " + net + ".2");
  }
  // Makes or cuts the link between the two daemons, and each one's route to the other's address.
  bool LinkBetweenDaemons(bool up) {
    if (!up) return Sh("ip -n " + ns_[0] + " link del x0");
    return Sh("ip -n " + ns_[0] + " link add x0 type veth peer name x0 netns " + ns_[1]) &&
           Sh("ip -n " + ns_[0] + " addr add 10.231.3.1/24 dev x0") && Sh("ip -n " + ns_[0] + " link set x0 up") &&
           Sh("ip -n " + ns_[1] + " addr add 10.231.3.2/24 dev x0") && Sh("ip -n " + ns_[1] + " link set x0 up") &&
           Sh("ip -n " + ns_[0] + " route add " + DaemonIp(1) + "/32 via 10.231.3.2") &&
           Sh("ip -n " + ns_[1] + " route add " + DaemonIp(0) + "/32 via 10.231.3.1");
  }
  static bool Sh(const std::string& command) { return std::system(command.c_str()) == 0; }

  std::string ns_[2], outer_[2];
  bool made_ = false;
};

// The daemons lose each other while the clients reach both: the primary goes on alone and
// marks its peer stale; once the link is back it gives the peer what it missed, and the peer
// alone then holds every acknowledged record.
TEST_F(RsdPartition, ACutBetweenTheDaemonsLeavesThePrimaryAloneUntilItCanResynchroniseThePeer) {
  const auto [primary, peer] = config_.PairOf("queue");
  auto store = Open(1);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  std::map<Handle, std::string> acked;
  ASSERT_NO_FATAL_FAILURE(PutMany(**store, "before ", 50, &acked));
  ASSERT_TRUE(LinkBetweenDaemons(false));
  ASSERT_NO_FATAL_FAILURE(PutMany(**store, "cut ", 50, &acked));
  EXPECT_EQ(PartnerStale(primary), true) << "the primary did not notice it lost its peer" << Logs();
  ASSERT_TRUE(LinkBetweenDaemons(true));
  ASSERT_TRUE(Eventually([&] { return PartnerStale(primary) == false; })) << "the primary never resynchronised its peer";
  ASSERT_NO_FATAL_FAILURE(PutMany(**store, "after ", 50, &acked));
  ASSERT_TRUE((*store)->Close().ok());
  Kill(primary);
  ExpectEveryRecord(acked);
}

// The clients lose the primary while the daemons still reach each other: the store goes on
// through the peer, which still writes every commit to the primary, so the primary alone then
// holds every acknowledged record.
TEST_F(RsdPartition, AClientCutFromThePrimaryGoesOnThroughThePeerAndBothKeepEveryCommit) {
  const auto [primary, peer] = config_.PairOf("queue");
  auto store = Open(1);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  std::map<Handle, std::string> acked;
  ASSERT_NO_FATAL_FAILURE(PutMany(**store, "before ", 50, &acked));
  ASSERT_TRUE(LinkToTest(primary, false));
  EXPECT_FALSE(replicated::QueryDaemon(config_, primary).reachable.ok()) << "the cut did not cut the primary off";
  ASSERT_NO_FATAL_FAILURE(PutMany(**store, "cut ", 50, &acked));
  ASSERT_TRUE(LinkToTest(primary, true));
  ASSERT_NO_FATAL_FAILURE(PutMany(**store, "after ", 50, &acked));
  ASSERT_TRUE((*store)->Close().ok());
  EXPECT_EQ(PartnerStale(peer), false) << "the peer went on without the primary it could reach" << Logs();
  Kill(peer);
  ExpectEveryRecord(acked);
}

}  // namespace
}  // namespace hastore::testing
