// The daemons' authentication (replicated/FORMAT.md "Authentication"): a client without the
// key, with a wrong key, or replaying a recorded handshake is refused before any request is
// read, and changes nothing (a digest of what each daemon holds is the same before and after);
// a daemon with a wrong key cannot link to its partner, so it never serves.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>

#include "authenticate.h"
#include "common/daemon_cluster.h"
#include "common/whole_file.h"
#include "handshake.h"
#include "hastore/replicated/daemon_admin.h"
#include "hastore/replicated/replicated_store.h"
#include "hastore/storage/checksum.h"
#include "socket.h"
#include "wire.h"

namespace hastore::testing {
namespace {

class DaemonAuthTest : public ::testing::Test {
 protected:
  DaemonAuthTest() : daemons_(2, 8ull << 20) {}
  void SetUp() override {
    daemons_.options().log = [this](const std::string& line) {
      std::lock_guard lock(log_mu_);
      log_ += line + "\n";
    };
    ASSERT_TRUE(daemons_.StartAll());
    // An instance with records in both daemons, closed (so nothing protects it but the key).
    StoreConfig c;
    c.name = "orders";
    c.kind = StoreKind::kReplicated;
    c.replicated.daemons = "(in the test)";
    ReplicatedStoreOptions o;
    o.daemons = &daemons_.config();
    auto store = OpenReplicatedStore(c, Ownership{1, "test"}, o);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto conn = (*store)->OpenConnection("c");
    ASSERT_TRUE(conn.ok());
    Transaction t = (*store)->Begin();
    ASSERT_TRUE(t.Create(*conn, "kept").ok());
    ASSERT_TRUE((*store)->Commit(std::move(t)).ok());
    ASSERT_TRUE((*store)->Close().ok());
  }

  std::string Logged() {
    std::lock_guard lock(log_mu_);
    return log_;
  }

  // What each daemon holds: its instances, claims and files as STATUS tells them (asked with
  // the right key), and the bytes of every file under its directory.
  std::string Digest() {
    std::string out;
    for (int i : {0, 1}) {
      const replicated::DaemonInfo d = replicated::QueryDaemon(daemons_.config(), i);
      out += "daemon " + std::to_string(i) + (d.reachable.ok() ? " up" : " DOWN " + d.reachable.message()) + "\n";
      for (const replicated::HeldInstanceInfo& h : d.instances) {
        out += h.instance + " epoch " + std::to_string(h.epoch) + " " + h.session + (h.partner_stale ? " stale" : "") + "\n";
        for (const replicated::RegionInfo& f : h.files) out += "  " + f.name + " " + std::to_string(f.bytes) + "\n";
      }
      const std::string regions = daemons_.config().daemons[i].directory + "/regions";
      for (const auto& e : std::filesystem::recursive_directory_iterator(regions)) {
        if (e.is_regular_file()) out += e.path().string() + " " + std::to_string(Checksum(ReadWholeFile(e.path().string()))) + "\n";
      }
    }
    return out;
  }

  int Primary() const { return daemons_.config().PairOf("orders").first; }
  const std::string& PrimaryAddress() const { return daemons_.config().daemons[Primary()].address; }

  static std::string Framed(const replicated::MessageWriter& w) { return replicated::FrameHeader({w.body()}) + w.body(); }
  static replicated::MessageWriter Drop() {
    replicated::MessageWriter w(replicated::Op::kDrop, 1);
    w.U8(0).Str("orders");
    return w;
  }

  // The same cluster's configuration with another key.
  replicated::DaemonConfig WithKey(std::string key) const {
    replicated::DaemonConfig c = daemons_.config();
    c.auth_key = std::move(key);
    return c;
  }

  DaemonCluster daemons_;
  std::mutex log_mu_;
  std::string log_;
};

TEST_F(DaemonAuthTest, AClientWithoutTheKeyIsRefusedBeforeItsRequestIsRead) {
  const std::string before = Digest();
  // A client of the protocol without the handshake: its first bytes are a frame, a WRITE under
  // the instance's claimed epoch, which the daemon would take.
  auto sock = replicated::Socket::Connect(PrimaryAddress(), 1000, 5000);
  ASSERT_TRUE(sock.ok());
  replicated::MessageWriter write(replicated::Op::kWrite, 7);
  write.U8(0).Str("orders").U64(1).Str("ORDERS000000.RGN").U64(0).Str(std::string(512, '\xff'));
  ASSERT_TRUE((*sock)->Send(Framed(write)).ok());
  EXPECT_FALSE((*sock)->Receive().ok());  // closed: no reply frame comes back
  EXPECT_TRUE(Eventually([&] { return Logged().find("at its handshake") != std::string::npos; })) << Logged();
  // The library's own client, with no key loaded: it refuses to ask at all.
  const replicated::DaemonConfig keyless = WithKey("");
  const Status removed = replicated::RemoveInstance(keyless, "orders");
  EXPECT_EQ(removed.code(), StatusCode::kInvalidArgument) << removed.ToString();
  EXPECT_NE(removed.message().find("no authentication key"), std::string::npos) << removed.ToString();
  EXPECT_EQ(Digest(), before);
  // The control: with the key, the same request removes the instance.
  EXPECT_TRUE(replicated::RemoveInstance(daemons_.config(), "orders").ok());
  EXPECT_NE(Digest(), before);
}

TEST_F(DaemonAuthTest, AClientWithAWrongKeyIsRefusedAndTheDaemonKeepsRunning) {
  const std::string before = Digest();
  const replicated::DaemonConfig wrong = WithKey(std::string(32, 'w'));
  const Status removed = replicated::RemoveInstance(wrong, "orders");
  EXPECT_EQ(removed.code(), StatusCode::kInvalidArgument) << removed.ToString();
  // The daemon's proof does not match this side's key: the client stops there, before it
  // gives a proof of its own.
  EXPECT_NE(removed.message().find("holds another key than this side's"), std::string::npos) << removed.ToString();
  const Status shut = replicated::ShutdownDaemon(wrong, Primary(), true);
  EXPECT_FALSE(shut.ok());
  EXPECT_FALSE(replicated::QueryDaemon(wrong, Primary()).reachable.ok());
  EXPECT_NE(Logged().find("at its handshake"), std::string::npos) << Logged();
  EXPECT_TRUE(daemons_.serving(Primary()));
  EXPECT_EQ(Digest(), before);  // asks with the right key: the daemon still answers, unchanged
}

// A recorded handshake replayed on a new connection: the daemon's nonce is new, so the
// recorded proof does not match and the request after it is never read.
TEST_F(DaemonAuthTest, AReplayedHandshakeIsRefused) {
  const std::string& key = daemons_.config().auth_key;
  const std::string nonce(replicated::kAuthNonceBytes, '\x5a');
  std::string recorded = replicated::EncodeAuthChallenge(nonce);
  {  // the recorded client: a genuine handshake, then a STATUS request
    auto sock = replicated::Socket::Connect(PrimaryAddress(), 1000, 5000);
    ASSERT_TRUE(sock.ok());
    ASSERT_TRUE((*sock)->Send(recorded).ok());
    auto bytes = (*sock)->ReceiveExactly(replicated::kAuthResponseBytes);
    ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
    auto response = replicated::DecodeAuthResponse(*bytes);
    ASSERT_TRUE(response.ok());
    const std::string proof = replicated::AuthProof(key, replicated::AuthRole::kInitiator, nonce, response->responder_nonce);
    const std::string request = Framed(replicated::MessageWriter(replicated::Op::kStatus, 1));
    ASSERT_TRUE((*sock)->Send(proof + request).ok());
    recorded += proof + request;
    auto verdict = (*sock)->ReceiveExactly(1);
    ASSERT_TRUE(verdict.ok());
    ASSERT_EQ((*verdict)[0], static_cast<char>(replicated::kAuthAccepted));
    ASSERT_TRUE((*sock)->Receive().ok());  // its STATUS reply: the recording worked
  }
  const std::string before = Digest();
  // The replay: the same first bytes, with the request swapped for a DROP (frames carry no MAC;
  // the handshake is what must stop it).
  auto sock = replicated::Socket::Connect(PrimaryAddress(), 1000, 5000);
  ASSERT_TRUE(sock.ok());
  const size_t handshake_bytes = replicated::kAuthChallengeBytes + replicated::kAuthFinishBytes;
  ASSERT_TRUE((*sock)->Send(recorded.substr(0, handshake_bytes) + Framed(Drop())).ok());
  auto response = (*sock)->ReceiveExactly(replicated::kAuthResponseBytes);
  ASSERT_TRUE(response.ok());
  auto verdict = (*sock)->ReceiveExactly(1);
  ASSERT_TRUE(verdict.ok());
  EXPECT_EQ((*verdict)[0], static_cast<char>(replicated::kAuthRefused));
  EXPECT_FALSE((*sock)->Receive().ok());  // closed, no reply to the DROP
  EXPECT_TRUE(Eventually([&] { return Logged().find("a replayed handshake") != std::string::npos; })) << Logged();
  EXPECT_EQ(Digest(), before);
  EXPECT_TRUE(replicated::RemoveInstance(daemons_.config(), "orders").ok());  // the control
}

// The daemon's side is mutual too: a "daemon" that does not know the key cannot pass itself
// off to a client (it would collect the writes).
TEST_F(DaemonAuthTest, AClientRefusesADaemonThatProvesNoKnowledgeOfTheKey) {
  replicated::DaemonConfig wrong = WithKey(std::string(32, 'w'));
  auto sock = replicated::Socket::Connect(PrimaryAddress(), 1000, 5000);
  ASSERT_TRUE(sock.ok());
  const Status s = replicated::AuthenticateToDaemon(**sock, wrong);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  EXPECT_NE(s.message().find("holds another key than this side's"), std::string::npos) << s.ToString();
}

TEST_F(DaemonAuthTest, ADaemonWithAWrongKeyCannotLinkToItsPartner) {
  const int peer = daemons_.config().PairOf("orders").second;
  daemons_.Stop(peer);
  ASSERT_TRUE(daemons_.Launch(peer, WithKey(std::string(32, 'w'))));
  // It waits for its partner's STALE_FOR answer before it serves; its partner refuses it.
  EXPECT_TRUE(Eventually([&] { return Logged().find("refused") != std::string::npos &&
                                      Logged().find("at its handshake") != std::string::npos; }))
      << Logged();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // several housekeeping rounds
  EXPECT_FALSE(daemons_.serving(peer));
}

TEST_F(DaemonAuthTest, ADaemonWithoutAKeyDoesNotStart) {
  daemons_.Stop(1);
  const ::testing::AssertionResult started = daemons_.Launch(1, WithKey("short"));
  EXPECT_FALSE(started);
  EXPECT_NE(std::string(started.message()).find("no authentication key loaded from auth_key_file " + daemons_.config().auth_key_file),
            std::string::npos)
      << started.message();
}

}  // namespace
}  // namespace hastore::testing
