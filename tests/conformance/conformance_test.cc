// The conformance suite: the record API contract (DESIGN §3) that every kind of store keeps.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <random>
#include <thread>

#include "common/temp_dir.h"
#include "conformance/file_store_factory.h"
#include "conformance/jdbc_store_factory.h"
#include "conformance/replicated_store_factory.h"
#include "conformance/store_factory.h"

namespace hastore::testing {
namespace {

class ConformanceTest : public ::testing::TestWithParam<StoreKindParam> {
 protected:
  void SetUp() override {
    factory_ = GetParam().make();
    OpenStore();
  }
  void OpenStore() {
    auto s = factory_->Open();
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
  }
  void Reopen() {
    ASSERT_TRUE(store_->Close().ok());
    store_.reset();
    OpenStore();
  }
  Connection Conn(const std::string& name) {
    auto c = store_->OpenConnection(name);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? *c : Connection{};
  }
  Handle CreateOne(const Connection& c, const std::string& data) {
    Transaction t = store_->Begin();
    auto h = t.Create(c, data);
    EXPECT_TRUE(h.ok()) << h.status().ToString();
    Status s = store_->Commit(std::move(t));
    EXPECT_TRUE(s.ok()) << s.ToString();
    return h.ok() ? *h : 0;
  }
  std::map<Handle, std::string> ScanAll(const Connection& c) {
    std::map<Handle, std::string> out;
    Handle last = 0;
    Status s = store_->Scan(c, [&](Handle h, std::string_view d) {
      EXPECT_GT(h, last) << "scan must go in handle order";
      last = h;
      out[h] = std::string(d);
      return true;
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return out;
  }
  std::string ReadOrDie(Handle h) {
    auto r = store_->Read(h);
    EXPECT_TRUE(r.ok()) << "handle " << h << ": " << r.status().ToString();
    return r.ok() ? *r : std::string();
  }

  std::unique_ptr<StoreFactory> factory_;
  std::unique_ptr<Store> store_;
};

TEST_P(ConformanceTest, CreateReadUpdateRemove) {
  Connection c = Conn("queue/orders");
  Handle h = CreateOne(c, "first");
  EXPECT_EQ(ReadOrDie(h), "first");
  Transaction t = store_->Begin();
  ASSERT_TRUE(t.Update(h, "second").ok());
  ASSERT_TRUE(store_->Commit(std::move(t)).ok());
  EXPECT_EQ(ReadOrDie(h), "second");
  t = store_->Begin();
  ASSERT_TRUE(t.Remove(h).ok());
  ASSERT_TRUE(store_->Commit(std::move(t)).ok());
  EXPECT_EQ(store_->Read(h).status().code(), StatusCode::kNotFound);
  Reopen();
  EXPECT_EQ(store_->Read(h).status().code(), StatusCode::kNotFound);
}

TEST_P(ConformanceTest, TransactionIsAtomicAcrossConnections) {
  Connection a = Conn("a");
  Connection b = Conn("b");
  Handle keep = CreateOne(a, "keep");
  Handle gone = CreateOne(b, "gone");
  Transaction t = store_->Begin();
  auto h1 = t.Create(a, "new-a");
  auto h2 = t.Create(b, "new-b");
  ASSERT_TRUE(h1.ok() && h2.ok());
  ASSERT_TRUE(t.Update(keep, "kept").ok());
  ASSERT_TRUE(t.Remove(gone).ok());
  ASSERT_TRUE(store_->Commit(std::move(t)).ok());
  Reopen();
  EXPECT_EQ(ReadOrDie(*h1), "new-a");
  EXPECT_EQ(ReadOrDie(*h2), "new-b");
  EXPECT_EQ(ReadOrDie(keep), "kept");
  EXPECT_EQ(store_->Read(gone).status().code(), StatusCode::kNotFound);
}

TEST_P(ConformanceTest, ScanReturnsOneConnectionInHandleOrder) {
  Connection a = Conn("a");
  Connection b = Conn("b");
  std::map<Handle, std::string> want;
  for (int i = 0; i < 50; ++i) {
    want[CreateOne(a, "a" + std::to_string(i))] = "a" + std::to_string(i);
    CreateOne(b, "b" + std::to_string(i));
  }
  EXPECT_EQ(ScanAll(a), want);
  int seen = 0;
  ASSERT_TRUE(store_->Scan(a, [&](Handle, std::string_view) { return ++seen < 5; }).ok());
  EXPECT_EQ(seen, 5) << "returning false stops the scan";
  Reopen();
  EXPECT_EQ(ScanAll(Conn("a")), want);
  EXPECT_EQ(ScanAll(Conn("b")).size(), 50u);
}

TEST_P(ConformanceTest, ManyConnectionsSurviveReopen) {
  std::map<std::string, Handle> handles;
  for (int i = 0; i < 200; ++i) {
    const std::string name = "destination-" + std::to_string(i) + (i % 7 == 0 ? "-ünïcode-'\";--" : "");
    handles[name] = CreateOne(Conn(name), name);
  }
  Reopen();
  auto conns = store_->Connections();
  EXPECT_EQ(conns.size(), 200u);
  for (const Connection& c : conns) {
    auto all = ScanAll(c);
    ASSERT_EQ(all.size(), 1u) << c.name;
    EXPECT_EQ(all.begin()->first, handles[c.name]);
    EXPECT_EQ(all.begin()->second, c.name);
  }
  EXPECT_EQ(Conn(conns.front().name).id, conns.front().id) << "opening an existing connection returns it";
}

TEST_P(ConformanceTest, EmptyAndSixteenMebibyteRecords) {
  Connection c = Conn("sizes");
  std::string big(16u << 20, '\0');
  std::mt19937_64 rng(7);
  for (char& ch : big) ch = static_cast<char>(rng());
  Handle empty = CreateOne(c, "");
  Handle large = CreateOne(c, big);
  EXPECT_EQ(ReadOrDie(empty), "");
  EXPECT_TRUE(ReadOrDie(large) == big);
  Reopen();
  EXPECT_EQ(ReadOrDie(empty), "");
  EXPECT_TRUE(ReadOrDie(large) == big);
}

TEST_P(ConformanceTest, TransactionOfThousandsOfOperations) {
  Connection c = Conn("bulk");
  std::vector<Handle> old;
  for (int i = 0; i < 1000; ++i) old.push_back(CreateOne(c, "old" + std::to_string(i)));
  Transaction t = store_->Begin();
  std::map<Handle, std::string> want;
  for (int i = 0; i < 3000; ++i) {
    auto h = t.Create(c, "new" + std::to_string(i));
    ASSERT_TRUE(h.ok());
    want[*h] = "new" + std::to_string(i);
  }
  for (size_t i = 0; i < old.size(); ++i) {
    if (i % 2 == 0) {
      ASSERT_TRUE(t.Remove(old[i]).ok());
    } else {
      ASSERT_TRUE(t.Update(old[i], "upd").ok());
      want[old[i]] = "upd";
    }
  }
  ASSERT_TRUE(store_->Commit(std::move(t)).ok());
  EXPECT_EQ(ScanAll(c), want);
  Reopen();
  EXPECT_EQ(ScanAll(Conn("bulk")), want);
}

TEST_P(ConformanceTest, SixtyFourConcurrentCommitters) {
  Connection c = Conn("concurrent");
  const int per_thread = 50 * SoakFactor();
  std::vector<std::vector<Handle>> got(64);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < 64; ++w) {
    threads.emplace_back([&, w] {
      for (int i = 0; i < per_thread; ++i) {
        Transaction t = store_->Begin();
        auto h = t.Create(c, std::to_string(w) + ":" + std::to_string(i));
        if (!h.ok() || !store_->Commit(std::move(t)).ok()) {
          ++failures;
          continue;
        }
        got[w].push_back(*h);
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_EQ(failures.load(), 0);
  Reopen();
  auto all = ScanAll(Conn("concurrent"));
  EXPECT_EQ(all.size(), size_t{64} * per_thread);
  for (int w = 0; w < 64; ++w) {
    for (int i = 0; i < per_thread; ++i) EXPECT_EQ(all[got[w][i]], std::to_string(w) + ":" + std::to_string(i));
  }
}

TEST_P(ConformanceTest, AsynchronousCommits) {
  Connection c = Conn("async");
  std::vector<std::future<Status>> futures;
  std::vector<Handle> handles;
  for (int i = 0; i < 100; ++i) {
    Transaction t = store_->Begin();
    handles.push_back(*t.Create(c, std::to_string(i)));
    futures.push_back(store_->CommitFuture(std::move(t)));
  }
  for (auto& f : futures) EXPECT_TRUE(f.get().ok());
  std::atomic<int> called{0};
  Transaction t = store_->Begin();
  Handle last = *t.Create(c, "callback");
  store_->CommitAsync(std::move(t), [&](Status s) {
    EXPECT_TRUE(s.ok());
    called.store(1);
    called.notify_one();
  });
  called.wait(0);
  EXPECT_EQ(ReadOrDie(last), "callback");
  for (int i = 0; i < 100; ++i) EXPECT_EQ(ReadOrDie(handles[i]), std::to_string(i));
}

TEST_P(ConformanceTest, HandlesAreNeverReusedAfterReopen) {
  Connection c = Conn("h");
  Handle a = CreateOne(c, "x");
  Transaction t = store_->Begin();
  ASSERT_TRUE(t.Remove(a).ok());
  ASSERT_TRUE(store_->Commit(std::move(t)).ok());
  Reopen();
  Handle b = CreateOne(Conn("h"), "y");
  EXPECT_GT(b, a);
}

// Bad input gets a clear error and changes nothing (DESIGN §3).
TEST_P(ConformanceTest, BadInputChangesNothing) {
  Connection c = Conn("bad");
  Handle h = CreateOne(c, "original");
  // An unknown handle fails at once, and again at commit if it went away in between.
  Transaction t = store_->Begin();
  EXPECT_EQ(t.Update(h + 1000, "x").code(), StatusCode::kNotFound);
  EXPECT_EQ(t.Remove(h + 1000).code(), StatusCode::kNotFound);
  auto created = t.Create(c, "would be new");
  ASSERT_TRUE(created.ok());
  ASSERT_TRUE(t.Update(h, "changed").ok());
  Transaction remover = store_->Begin();
  ASSERT_TRUE(remover.Remove(h).ok());
  ASSERT_TRUE(store_->Commit(std::move(remover)).ok());
  Status s = store_->Commit(std::move(t));
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.ToString();
  EXPECT_NE(s.message().find(std::to_string(h)), std::string::npos) << "the error names the handle: " << s.message();
  EXPECT_EQ(store_->Read(*created).status().code(), StatusCode::kNotFound) << "the failed transaction left nothing";
  // Records over the maximum.
  const uint64_t max = factory_->max_record_size();
  Transaction big = store_->Begin();
  EXPECT_EQ(big.Create(c, std::string(max + 1, 'x')).status().code(), StatusCode::kTooLarge);
  // Connection names: empty, too long, NUL, invalid UTF-8.
  for (const std::string& name : {std::string(), std::string(256, 'c'), std::string("a\0b", 3), std::string("\xff\xfe")}) {
    auto conn = store_->OpenConnection(name);
    EXPECT_EQ(conn.status().code(), StatusCode::kInvalidArgument) << "name of " << name.size() << " bytes";
  }
  // A connection this store never opened.
  Transaction foreign = store_->Begin();
  EXPECT_EQ(foreign.Create(Connection{9999, "foreign"}, "x").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->Connections().size(), 1u);
  Reopen();
  EXPECT_EQ(ScanAll(Conn("bad")).size(), 0u);
}

TEST_P(ConformanceTest, ClosedStoreRefusesWork) {
  Connection c = Conn("closing");
  Handle h = CreateOne(c, "x");
  ASSERT_TRUE(store_->Close().ok());
  ASSERT_TRUE(store_->Close().ok()) << "close is idempotent";
  EXPECT_EQ(store_->Health().code(), StatusCode::kClosed);
  Transaction t = store_->Begin();
  ASSERT_TRUE(t.Update(h, "y").ok());
  EXPECT_EQ(store_->Commit(std::move(t)).code(), StatusCode::kClosed);
  OpenStore();
  EXPECT_EQ(ReadOrDie(h), "x");
}

// A child process commits and reports each acknowledged record through a pipe, then dies by
// SIGKILL in the middle of its work. Every acknowledged record must be there after reopen.
TEST_P(ConformanceTest, ReopenAfterCrash) {
  Connection c = Conn("crash");
  ASSERT_TRUE(store_->Close().ok());
  store_.reset();
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(fds[0]);
    auto s = factory_->Open();
    if (!s.ok()) ::_exit(3);
    auto conn = (*s)->OpenConnection("crash");
    if (!conn.ok()) ::_exit(4);
    for (int i = 0;; ++i) {
      Transaction t = (*s)->Begin();
      Handle h = *t.Create(*conn, "record-" + std::to_string(i));
      if (!(*s)->Commit(std::move(t)).ok()) ::_exit(5);
      if (::write(fds[1], &h, sizeof h) != sizeof h) ::_exit(6);
      if (i == 300) ::kill(::getpid(), SIGKILL);
    }
  }
  ::close(fds[1]);
  std::vector<Handle> acked;
  Handle h;
  while (::read(fds[0], &h, sizeof h) == sizeof h) acked.push_back(h);
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exit status " << WEXITSTATUS(status);
  ASSERT_EQ(acked.size(), 301u);
  OpenStore();
  auto all = ScanAll(Conn("crash"));
  for (size_t i = 0; i < acked.size(); ++i) EXPECT_EQ(all[acked[i]], "record-" + std::to_string(i));
  EXPECT_EQ(all.size(), acked.size());
}

INSTANTIATE_TEST_SUITE_P(FileStore, ConformanceTest, ::testing::ValuesIn(FileStoreKinds()),
                         [](const auto& info) { return info.param.name; });
INSTANTIATE_TEST_SUITE_P(JdbcStore, ConformanceTest, ::testing::ValuesIn(JdbcStoreKinds()),
                         [](const auto& info) { return info.param.name; });
INSTANTIATE_TEST_SUITE_P(ReplicatedStore, ConformanceTest, ::testing::ValuesIn(ReplicatedStoreKinds()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace hastore::testing
