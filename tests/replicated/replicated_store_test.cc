// The replicated store and its daemons in one process: epochs refused by the daemons, the
// message and space limits, bad frames, a partner that misses writes and gets them back, and
// the operators' requests.
#include <gtest/gtest.h>

#include <iostream>
#include <string>

#include "common/daemon_cluster.h"
#include "common/temp_dir.h"
#include "hastore/replicated/daemon_admin.h"
#include "hastore/replicated/replicated_store.h"
#include "authenticate.h"
#include "socket.h"
#include "wire.h"

namespace hastore::testing {
namespace {

class ReplicatedStoreTest : public ::testing::Test {
 protected:
  explicit ReplicatedStoreTest(uint64_t region_size = 8ull << 20) : daemons_(2, region_size) {}
  void SetUp() override {
    daemons_.options().log = [this](const std::string& line) {
      std::lock_guard lock(log_mu_);
      log_ += line + "\n";
    };
  }

  StoreConfig Config(const std::string& name = "orders") {
    StoreConfig c;
    c.name = name;
    c.kind = StoreKind::kReplicated;
    c.replicated.daemons = "(in the test)";
    return c;
  }
  Result<std::unique_ptr<Store>> Open(uint64_t epoch, const std::string& name = "orders") {
    ReplicatedStoreOptions o;
    o.daemons = &daemons_.config();
    return OpenReplicatedStore(Config(name), Ownership{epoch, "test"}, o);
  }
  static Status Put(Store& store, std::string_view data, Handle* handle = nullptr) {
    Result<Connection> c = store.OpenConnection("c");
    if (!c.ok()) return c.status();
    Transaction t = store.Begin();
    Result<Handle> h = t.Create(*c, data);
    if (!h.ok()) return h.status();
    if (handle != nullptr) *handle = *h;
    return store.Commit(std::move(t));
  }
  std::string Logged() {
    std::lock_guard lock(log_mu_);
    return log_;
  }
  // The bytes of `instance`'s files on each daemon (0 where it holds none).
  std::vector<uint64_t> BytesHeld(const std::string& instance) {
    std::vector<uint64_t> out;
    for (int i : {0, 1}) {
      uint64_t bytes = 0;
      for (const replicated::HeldInstanceInfo& held : replicated::QueryDaemon(daemons_.config(), i).instances) {
        if (held.instance != instance) continue;
        for (const replicated::RegionInfo& f : held.files) bytes += f.bytes;
      }
      out.push_back(bytes);
    }
    return out;
  }
  // The daemon index of `instance`'s primary and peer.
  std::pair<int, int> PairOf(const std::string& instance) { return daemons_.config().PairOf(instance); }

  DaemonCluster daemons_;
  std::mutex log_mu_;
  std::string log_;
};

TEST_F(ReplicatedStoreTest, ACommitIsInBothDaemonsAndAStaleEpochIsRefusedByThem) {
  ASSERT_TRUE(daemons_.StartAll());
  auto first = Open(1);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  const std::vector<uint64_t> opened = BytesHeld("orders");  // the open wrote a header and the fence
  ASSERT_TRUE(Put(**first, "one").ok());
  const std::vector<uint64_t> committed = BytesHeld("orders");
  std::cout << "bytes held after the open " << opened[0] << ", " << opened[1] << "; after the commit " << committed[0]
            << ", " << committed[1] << "\n";
  for (int i : {0, 1}) EXPECT_GT(committed[i], opened[i]) << "the commit did not reach daemon " << i;
  EXPECT_EQ(committed[0], committed[1]);
  for (int i : {0, 1}) {
    const replicated::DaemonInfo d = replicated::QueryDaemon(daemons_.config(), i);
    ASSERT_TRUE(d.reachable.ok()) << d.reachable.ToString();
    ASSERT_EQ(d.instances.size(), 1u);
    EXPECT_EQ(d.instances[0].instance, "orders");
    EXPECT_EQ(d.instances[0].epoch, 1u);
    EXPECT_FALSE(d.instances[0].partner_stale);
    bool region = false;
    for (const replicated::RegionInfo& f : d.instances[0].files) region |= f.name == "ORDERS000000.RGN" && f.bytes > 0;
    EXPECT_TRUE(region) << "daemon " << i;
  }
  auto second = Open(2);  // a new owner under a newer lease epoch
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  Status late = Put(**first, "two");
  EXPECT_EQ(late.code(), StatusCode::kFenced) << late.ToString();
  EXPECT_EQ((*first)->Health().code(), StatusCode::kFenced);
  EXPECT_TRUE(Put(**second, "three").ok());
  first->reset();
  second->reset();  // no client holds it now: the old epoch is refused as fenced, not locked
  auto older = Open(1);
  EXPECT_EQ(older.status().code(), StatusCode::kFenced) << older.status().ToString();
}

// Daemons with Unix sockets: a client on their host uses the socket, so a store whose
// configuration gives TCP addresses nothing listens on still commits, and both daemons hold it.
TEST_F(ReplicatedStoreTest, AClientOnTheDaemonsHostUsesTheirUnixSockets) {
  TempDir sockets;
  for (int i : {0, 1}) daemons_.config().daemons[i].socket = sockets.path() + "/rsd" + std::to_string(i) + ".sock";
  ASSERT_TRUE(daemons_.StartAll());
  replicated::DaemonConfig client = daemons_.config();
  for (replicated::DaemonAddress& d : client.daemons) d.address = "127.0.0.1:1";  // nothing listens there
  ReplicatedStoreOptions o;
  o.daemons = &client;
  auto store = OpenReplicatedStore(Config(), Ownership{1, "test"}, o);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  const std::vector<uint64_t> opened = BytesHeld("orders");
  ASSERT_TRUE(Put(**store, "through the socket").ok());
  const std::vector<uint64_t> committed = BytesHeld("orders");
  for (int i : {0, 1}) EXPECT_GT(committed[i], opened[i]) << "the commit did not reach daemon " << i;
  for (int i : {0, 1}) {
    const replicated::DaemonInfo d = replicated::QueryDaemon(daemons_.config(), i);
    ASSERT_TRUE(d.reachable.ok()) << d.reachable.ToString();
    ASSERT_EQ(d.instances.size(), 1u) << "daemon " << i;
    uint64_t bytes = 0;
    for (const replicated::RegionInfo& f : d.instances[0].files) bytes += f.bytes;
    EXPECT_GT(bytes, 0u) << "daemon " << i;
  }
  // Without the sockets, the same client reaches neither daemon.
  replicated::DaemonConfig no_sockets = client;
  for (replicated::DaemonAddress& d : no_sockets.daemons) d.socket.clear();
  o.daemons = &no_sockets;
  auto unreachable = OpenReplicatedStore(Config("other"), Ownership{1, "test"}, o);
  EXPECT_EQ(unreachable.status().code(), StatusCode::kIOError) << unreachable.status().ToString();
}

// A single-server open (epoch 0, a tool) is refused while another client holds the instance,
// as a file store's lock file refuses it, and goes ahead once that client is gone; an owner
// under a newer lease epoch takes over from a live holder instead (the daemons fence it).
TEST_F(ReplicatedStoreTest, ASingleServerOpenIsRefusedWhileAnotherClientHoldsTheInstance) {
  ASSERT_TRUE(daemons_.StartAll());
  ReplicatedStoreOptions o;
  o.daemons = &daemons_.config();
  auto first = OpenReplicatedStore(Config(), Ownership{0, "first tool"}, o);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_TRUE(Put(**first, "one").ok());
  auto second = OpenReplicatedStore(Config(), Ownership{0, "second tool"}, o);
  ASSERT_EQ(second.status().code(), StatusCode::kLocked) << second.status().ToString();
  EXPECT_NE(second.status().message().find("held by first tool"), std::string::npos) << second.status().message();
  EXPECT_TRUE(Put(**first, "still the owner").ok());
  first->reset();  // its connections close with it
  auto third = OpenReplicatedStore(Config(), Ownership{0, "third tool"}, o);
  ASSERT_TRUE(third.ok()) << third.status().ToString();
  ASSERT_TRUE(Put(**third, "two").ok());
  auto leased = Open(100);  // a lease epoch past the fence: a takeover, not refused
  ASSERT_TRUE(leased.ok()) << leased.status().ToString();
  EXPECT_EQ(Put(**third, "late").code(), StatusCode::kFenced);
  EXPECT_TRUE(Put(**leased, "three").ok());
}

// An owner that closes and opens again under the same lease epoch (an agent restarting an
// instance it still holds) is a new session at that epoch: taken, since nobody holds the old one.
TEST_F(ReplicatedStoreTest, AnOwnerReopensUnderTheSameEpoch) {
  ASSERT_TRUE(daemons_.StartAll());
  auto first = Open(7);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_TRUE(Put(**first, "one").ok());
  first->reset();
  auto again = Open(7);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(Put(**again, "two").ok());
}

TEST_F(ReplicatedStoreTest, ARecordOverTheMaximumMessageSizeIsRefusedNamingTheLimit) {
  ASSERT_TRUE(daemons_.StartAll());
  auto store = Open(1);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  const uint64_t message = daemons_.config().max_message_bytes();  // 1% of 8 MiB
  Status s = Put(**store, std::string(message, 'x'));
  EXPECT_EQ(s.code(), StatusCode::kTooLarge) << s.ToString();
  EXPECT_NE(s.message().find("Maximum Message Size of " + std::to_string(message)), std::string::npos) << s.message();
  EXPECT_TRUE(Put(**store, std::string(message - 2048, 'y')).ok());
}

TEST_F(ReplicatedStoreTest, AFrameWithABadChecksumIsRefusedAndReported) {
  ASSERT_TRUE(daemons_.StartAll());
  auto store = Open(1);
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE(Put(**store, "kept").ok());
  const int primary = PairOf("orders").first;
  auto sock = replicated::ConnectToDaemon(daemons_.config(), daemons_.config().daemons[primary].address, 1000, 5000);
  ASSERT_TRUE(sock.ok());
  replicated::MessageWriter w(replicated::Op::kWrite, 7);
  w.U8(0).Str("orders").U64(1).Str("ORDERS000000.RGN").U64(0).Str(std::string(512, '\xff'));
  std::string frame = replicated::FrameHeader({w.body()}) + w.body();
  frame.back() ^= 1;  // one bit of the body flipped after the checksum was taken
  ASSERT_TRUE((*sock)->Send(frame).ok());
  EXPECT_FALSE((*sock)->Receive().ok());  // the daemon drops a connection it cannot trust
  EXPECT_TRUE(Eventually([&] { return Logged().find("fails its checksum: refused") != std::string::npos; })) << Logged();
  ASSERT_TRUE((*store)->Close().ok());
  auto again = Open(2);
  ASSERT_TRUE(again.ok()) << again.status().ToString();  // the log was not overwritten
  int records = 0;
  auto c = (*again)->OpenConnection("c");
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE((*again)->Scan(*c, [&](Handle, std::string_view d) { records += d == "kept"; return true; }).ok());
  EXPECT_EQ(records, 1);
}

TEST_F(ReplicatedStoreTest, APartnerThatMissedWritesGetsThemBeforeItServes) {
  ASSERT_TRUE(daemons_.StartAll());
  const auto [primary, peer] = PairOf("orders");
  auto store = Open(1);
  ASSERT_TRUE(store.ok());
  std::vector<Handle> handles(20);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(Put(**store, "r" + std::to_string(i), &handles[i]).ok());
  daemons_.Stop(peer);
  for (int i = 10; i < 20; ++i) ASSERT_TRUE(Put(**store, "r" + std::to_string(i), &handles[i]).ok()) << i;
  const replicated::DaemonInfo alone = replicated::QueryDaemon(daemons_.config(), primary);
  ASSERT_EQ(alone.instances.size(), 1u);
  EXPECT_TRUE(alone.instances[0].partner_stale);
  EXPECT_EQ(replicated::ShutdownDaemon(daemons_.config(), primary, false).code(), StatusCode::kLocked);

  ASSERT_TRUE(daemons_.Start(peer));  // serves only once the primary pushed the instance to it
  const replicated::DaemonInfo both = replicated::QueryDaemon(daemons_.config(), primary);
  ASSERT_EQ(both.instances.size(), 1u);
  EXPECT_FALSE(both.instances[0].partner_stale) << "the peer served before it had what it missed";
  EXPECT_NE(Logged().find("pushed orders to partner daemon " + std::to_string(peer)), std::string::npos) << Logged();
  ASSERT_TRUE((*store)->Close().ok());
  daemons_.Stop(primary);  // now only the peer's copy is left
  auto reopened = Open(2);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  for (int i = 0; i < 20; ++i) {
    auto r = (*reopened)->Read(handles[i]);
    ASSERT_TRUE(r.ok()) << i << ": " << r.status().ToString();
    EXPECT_EQ(*r, "r" + std::to_string(i));
  }
}

// The partner that missed writes cannot serve the instance through its forwards: a claim it
// forwards (a new owner reached it first) is refused with kIOError, which sends the client to
// the daemon with the writes; and it cannot push its old copy over them.
TEST_F(ReplicatedStoreTest, ADaemonHoldingWritesItsPartnerMissedRefusesThePartnersClaimsAndPushes) {
  ASSERT_TRUE(daemons_.StartAll());
  const auto [primary, peer] = PairOf("orders");
  auto store = Open(1);
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE(Put(**store, "both").ok());
  daemons_.Stop(peer);
  ASSERT_TRUE(Put(**store, "alone").ok());  // the primary marks the peer as having missed it
  auto sock = replicated::ConnectToDaemon(daemons_.config(), daemons_.config().daemons[primary].address, 1000, 5000);
  ASSERT_TRUE(sock.ok());
  replicated::MessageWriter claim(replicated::Op::kClaim, 1);
  claim.U8(1).Str("orders").U64(2).Str("a new owner, through the peer").U8(0);
  Result<replicated::Reply> refused = (*sock)->Call(claim.body());
  ASSERT_TRUE(refused.ok()) << refused.status().ToString();
  EXPECT_EQ(refused->status().code(), StatusCode::kIOError) << refused->status().ToString();
  EXPECT_NE(refused->status().message().find("that its partner missed"), std::string::npos) << refused->status().ToString();
  replicated::MessageWriter push(replicated::Op::kPush, 2);
  push.Str("orders").U64(1).Str("the peer").U32(0);
  Result<replicated::Reply> kept = (*sock)->Call(push.body());
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  EXPECT_EQ(kept->status().code(), StatusCode::kLocked) << kept->status().ToString();
  EXPECT_TRUE(Put(**store, "still").ok());  // the owner goes on, its instance untouched
}

TEST_F(ReplicatedStoreTest, AnActiveInstanceIsNotRemovedAndAClosedOneIs) {
  ASSERT_TRUE(daemons_.StartAll());
  auto store = Open(1);
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE(Put(**store, "x").ok());
  EXPECT_EQ(replicated::RemoveInstance(daemons_.config(), "orders").code(), StatusCode::kLocked);
  ASSERT_TRUE((*store)->Close().ok());
  store->reset();
  EXPECT_TRUE(Eventually([&] { return replicated::RemoveInstance(daemons_.config(), "orders").ok(); }));
  for (int i : {0, 1}) {
    const replicated::DaemonInfo d = replicated::QueryDaemon(daemons_.config(), i);
    ASSERT_TRUE(d.reachable.ok()) << i << ": " << d.reachable.ToString();  // an unreachable daemon lists nothing too
    EXPECT_TRUE(d.instances.empty()) << i;
  }
}

TEST_F(ReplicatedStoreTest, SpaceOverloadYellowRefusesRecordsAndRedRefusesNewStores) {
  daemons_.config().capacity = 600 * 1024;  // yellow at 480 KiB, red at 540 KiB
  ASSERT_TRUE(daemons_.StartAll());
  auto store = Open(1);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  Status s;
  for (int i = 0; i < 100 && s.ok(); ++i) s = Put(**store, std::string(60 * 1024, 'z'));
  EXPECT_NE(s.message().find("Space Overload Yellow"), std::string::npos) << s.ToString();
  // Past red as well, by the files of a store that was let in below it.
  auto other = Open(1, "other");
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  daemons_.config().capacity = 100 * 1024;  // daemons restarted with less room: past red
  ASSERT_TRUE((*store)->Close().ok());
  ASSERT_TRUE((*other)->Close().ok());
  daemons_.Stop(0);
  daemons_.Stop(1);
  ASSERT_TRUE(daemons_.StartAll());
  auto refused = Open(1, "third");
  EXPECT_NE(refused.status().message().find("Space Overload Red"), std::string::npos) << refused.status().ToString();
}

}  // namespace
}  // namespace hastore::testing
