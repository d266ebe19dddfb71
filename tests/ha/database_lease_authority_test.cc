// The `database` lease authority (hastore/ha/database_lease_authority.h) on SQLite and on the
// suite's PostgreSQL server: its tables, the lease rules of lease_authority.h judged by the
// database's clock, guarded records, racing servers, hostile names, clusters sharing a table,
// and outages. Every test has tables of its own, so the tests may run in parallel on one server.
// Times: leases of 200 ms, waited for by polling with bounds of seconds.
#include "hastore/ha/database_lease_authority.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/eventually.h"
#include "common/postgres.h"
#include "common/temp_dir.h"
#include "common/test_database.h"
#include "database_world.h"
#include "hastore/jdbcstore/connection_string.h"
#include "hastore/jdbcstore/odbc.h"

namespace hastore::testing {
namespace {

using ha::DatabaseLeaseSettings;
using ha::Lease;
using ha::LeaseAuthority;
using ha::LeaseHolder;
using ha::LeaseView;

constexpr uint64_t kLong = 60000;  // a ttl or grace no test outlives
constexpr uint64_t kShort = 200;   // a ttl tests wait out

// The lease an Acquire granted; a failure of the test if it granted none.
Lease Granted(const Result<Lease>& lease) {
  EXPECT_TRUE(lease.ok()) << lease.status().ToString();
  return lease.ok() ? *lease : Lease{};
}

// The lease `name` as `a` sees it; a failure of the test if it cannot be read or was never
// acquired.
LeaseView Seen(LeaseAuthority& a, std::string_view name) {
  auto view = a.Find(name);
  EXPECT_TRUE(view.ok() && view->has_value()) << name << ": " << view.status().ToString();
  return view.ok() && view->has_value() ? **view : LeaseView{};
}

class DatabaseLeaseTest : public ::testing::TestWithParam<TestDatabase> {
 protected:
  DatabaseLeaseTest() {
    static std::atomic<int> next{0};
    table_ = "ACTIVE_" + std::to_string(::getpid()) + "_" + std::to_string(next++);
  }

  std::string Connection() const { return TestLeaseConnection(GetParam() == TestDatabase::kPostgresql, dir_.path()); }
  std::string DisplayName() const { return GetParam() == TestDatabase::kSqlite ? "SQLite" : "PostgreSQL"; }

  DatabaseLeaseSettings Settings(std::string cluster = "c1") const {
    DatabaseLeaseSettings s;
    s.connection = Connection();
    s.table = table_;
    s.cluster = std::move(cluster);
    s.create_table = true;
    return s;
  }

  std::unique_ptr<LeaseAuthority> Open(const DatabaseLeaseSettings& settings) {
    auto a = ha::OpenDatabaseLeaseAuthority(settings);
    EXPECT_TRUE(a.ok()) << a.status().ToString();
    return a.ok() ? std::move(a).value() : nullptr;
  }
  std::unique_ptr<LeaseAuthority> Open() { return Open(Settings()); }

  // Runs SQL on a connection of our own, around the authority, and commits.
  void Sql(const std::string& sql) {
    auto db = jdbcstore::OdbcConnection::Connect(Connection());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    Status s = (*db)->ExecuteDirect(sql, sql);
    ASSERT_TRUE(s.ok()) << s.ToString();
    ASSERT_TRUE((*db)->Commit().ok());
  }
  // The one integer `sql` reads.
  int64_t SqlScalar(const std::string& sql) {
    auto db = jdbcstore::OdbcConnection::Connect(Connection());
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    if (!db.ok()) return -1;
    auto st = (*db)->Prepare(sql);
    EXPECT_TRUE(st.ok()) << st.status().ToString();
    if (!st.ok()) return -1;
    auto v = (*st)->ExecuteScalar();
    EXPECT_TRUE(v.ok() && v->has_value()) << sql;
    st->reset();  // a statement goes before its connection
    return v.ok() && v->has_value() ? **v : -1;
  }
  static std::string Quoted(const std::string& table) { return "\"" + table + "\""; }

  static LeaseHolder Holder(const std::string& server) {
    static std::atomic<int> next{0};
    return LeaseHolder{server, std::to_string(::getpid()) + "@test/" + server + "-" + std::to_string(next++)};
  }

  // Waits (at most 10 s) until `name` has expired by the authority's clock.
  static void WaitExpired(LeaseAuthority& a, std::string_view name) {
    ASSERT_TRUE(Eventually([&] { return Seen(a, name).remaining_ms <= 0; }, std::chrono::seconds(10))) << name << " never expired";
  }

  TempDir dir_;
  std::string table_;
};

// ---- tables -----------------------------------------------------------------------------------

TEST_P(DatabaseLeaseTest, AlwaysCreatesBothTablesAndOpensThemAgain) {
  auto a = Open();
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->Describe(), "database " + table_ + " (" + DisplayName() + ")");
  EXPECT_EQ(SqlScalar("SELECT COUNT(*) FROM " + Quoted(table_)), 0);
  EXPECT_EQ(SqlScalar("SELECT COUNT(*) FROM " + Quoted(table_ + "_RECORDS")), 0);
  DatabaseLeaseSettings existing = Settings();
  existing.create_table = false;
  EXPECT_NE(Open(existing), nullptr);
}

TEST_P(DatabaseLeaseTest, DisabledRefusesAMissingTableNamingItAndTheDdl) {
  DatabaseLeaseSettings s = Settings();
  s.create_table = false;
  auto a = ha::OpenDatabaseLeaseAuthority(s);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), StatusCode::kNotFound) << a.status().ToString();
  const std::string& m = a.status().message();
  EXPECT_NE(m.find(table_), std::string::npos) << m;
  EXPECT_NE(m.find(GetParam() == TestDatabase::kSqlite ? "ddl/ha/sqlite.ddl" : "ddl/ha/postgresql.ddl"), std::string::npos) << m;
  EXPECT_NE(m.find("auto_migration_table_creation_policy = \"Always\""), std::string::npos) << m;
}

TEST_P(DatabaseLeaseTest, TablesWithOtherColumnsAreRefusedNamingTheColumn) {
  // The reference system's ACTIVE table: no SESSION, no EPOCH.
  Sql("CREATE TABLE " + Quoted(table_) +
      " (SERVER VARCHAR(255) NOT NULL, INSTANCE VARCHAR(255) NOT NULL, DOMAINNAME VARCHAR(255) NOT NULL, "
      "CLUSTERNAME VARCHAR(255) NOT NULL, TIMEOUT BIGINT, PRIMARY KEY (SERVER, DOMAINNAME, CLUSTERNAME))");
  auto a = ha::OpenDatabaseLeaseAuthority(Settings());
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), StatusCode::kInvalidArgument) << a.status().ToString();
  EXPECT_NE(a.status().message().find("lease table " + table_ + " has no column SESSION"), std::string::npos)
      << a.status().message();

  // A records table with a column too many.
  table_ += "b";
  Sql("CREATE TABLE " + Quoted(table_ + "_RECORDS") +
      " (RECORDKEY VARCHAR(255) NOT NULL, DOMAINNAME VARCHAR(255) NOT NULL, CLUSTERNAME VARCHAR(255) NOT NULL, "
      "RECORDVALUE BIGINT, EXTRA BIGINT)");
  a = ha::OpenDatabaseLeaseAuthority(Settings());
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), StatusCode::kInvalidArgument) << a.status().ToString();
  EXPECT_NE(a.status().message().find("lease table " + table_ + "_RECORDS has column EXTRA"), std::string::npos)
      << a.status().message();
}

TEST_P(DatabaseLeaseTest, AnUnreachableDatabaseIsAnIOErrorNamingTheTable) {
  DatabaseLeaseSettings s = Settings();
  s.connection = GetParam() == TestDatabase::kSqlite
                     ? "Driver=SQLite3;Database=" + dir_.path() + "/no/such/dir/leases.db"
                     : "Driver=PostgreSQL Unicode;Server=127.0.0.1;Port=1;Database=postgres;Uid=hastore;Pwd=";
  s.reconnect_retry_period_ms = 300;
  s.reconnect_retry_interval_ms = 100;
  auto a = ha::OpenDatabaseLeaseAuthority(s);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), StatusCode::kIOError) << a.status().ToString();
  EXPECT_NE(a.status().message().find(table_), std::string::npos) << a.status().message();
}

// ---- the lease rules --------------------------------------------------------------------------

TEST_P(DatabaseLeaseTest, FreeIsEpochOneSameSessionRenewsOthersAreLockedOut) {
  auto a = Open();
  ASSERT_NE(a, nullptr);
  const LeaseHolder ms1 = Holder("ms1"), ms2 = Holder("ms2");
  const Lease first = Granted(a->Acquire("instance.orders@ms1", ms1, kLong, kLong));
  EXPECT_EQ(first.epoch, 1u);
  EXPECT_EQ(first.name, "instance.orders@ms1");
  EXPECT_EQ(first.ttl_ms, kLong);

  const Lease again = Granted(a->Acquire("instance.orders@ms1", ms1, kLong, kLong));
  EXPECT_EQ(again.epoch, 1u);

  auto other = a->Acquire("instance.orders@ms1", ms2, kLong, kLong);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().code(), StatusCode::kLocked);
  EXPECT_NE(other.status().message().find("instance.orders@ms1"), std::string::npos) << other.status().message();
  EXPECT_NE(other.status().message().find("ms1"), std::string::npos) << other.status().message();
  EXPECT_NE(other.status().message().find(" ms left"), std::string::npos) << other.status().message();

  // The same server restarted (a new session) is another holder.
  EXPECT_EQ(a->Acquire("instance.orders@ms1", Holder("ms1"), kLong, kLong).status().code(), StatusCode::kLocked);

  const LeaseView view = Seen(*a, "instance.orders@ms1");
  EXPECT_EQ(view.holder.server, "ms1");
  EXPECT_EQ(view.holder.session, ms1.session);
  EXPECT_EQ(view.epoch, 1u);
  EXPECT_TRUE(view.held());
  EXPECT_GT(view.remaining_ms, 0);
  EXPECT_LE(view.remaining_ms, static_cast<int64_t>(kLong));

  auto never = a->Find("instance.never");
  ASSERT_TRUE(never.ok());
  EXPECT_FALSE(never->has_value());
}

TEST_P(DatabaseLeaseTest, AnExpiredLeaseIsLockedForTheGraceThenTakenAtTheNextEpoch) {
  auto a = Open();
  ASSERT_NE(a, nullptr);
  const LeaseHolder ms1 = Holder("ms1"), ms2 = Holder("ms2");
  ASSERT_TRUE(a->Acquire("server.ms1", ms1, kShort, kLong).ok());
  WaitExpired(*a, "server.ms1");

  auto within_grace = a->Acquire("server.ms1", ms2, kLong, kLong);
  ASSERT_FALSE(within_grace.ok());
  EXPECT_EQ(within_grace.status().code(), StatusCode::kLocked);
  EXPECT_NE(within_grace.status().message().find("expired"), std::string::npos) << within_grace.status().message();

  const Lease past_grace = Granted(a->Acquire("server.ms1", ms2, kLong, 0));
  EXPECT_EQ(past_grace.epoch, 2u);

  // The old holder's renewal does not revive it, and it cannot take it back.
  auto renewed = a->RenewAll(ms1, kLong);
  ASSERT_TRUE(renewed.ok()) << renewed.status().ToString();
  EXPECT_TRUE(renewed->empty());
  EXPECT_EQ(a->Acquire("server.ms1", ms1, kLong, 0).status().code(), StatusCode::kLocked);

  // Its own expired lease a holder takes again at once, at a new epoch.
  ASSERT_TRUE(a->Acquire("server.ms3", ms1, kShort, kLong).ok());
  WaitExpired(*a, "server.ms3");
  const Lease retaken = Granted(a->Acquire("server.ms3", ms1, kLong, kLong));
  EXPECT_EQ(retaken.epoch, 2u);
}

TEST_P(DatabaseLeaseTest, ReleaseKeepsTheEpochAndTheNextAcquireBumpsIt) {
  auto a = Open();
  ASSERT_NE(a, nullptr);
  const LeaseHolder ms1 = Holder("ms1"), ms2 = Holder("ms2");
  const Lease mine = Granted(a->Acquire("master", ms1, kLong, kLong));
  ASSERT_TRUE(a->Release(mine).ok());
  const LeaseView freed = Seen(*a, "master");
  EXPECT_EQ(freed.epoch, 1u);
  EXPECT_TRUE(freed.holder.server.empty());
  EXPECT_FALSE(freed.held());

  const Lease theirs = Granted(a->Acquire("master", ms2, kLong, kLong));
  EXPECT_EQ(theirs.epoch, 2u);
  // Releasing a lease already lost is not an error, and frees nothing.
  EXPECT_TRUE(a->Release(mine).ok());
  const LeaseView held = Seen(*a, "master");
  EXPECT_EQ(held.holder.session, ms2.session);
  EXPECT_EQ(held.epoch, 2u);
  EXPECT_TRUE(held.held());

  ASSERT_TRUE(a->Release(theirs).ok());
  const Lease back = Granted(a->Acquire("master", ms1, kLong, kLong));
  EXPECT_EQ(back.epoch, 3u);
}

TEST_P(DatabaseLeaseTest, RenewAllExtendsExactlyTheSessionsLiveLeases) {
  auto a = Open();
  ASSERT_NE(a, nullptr);
  const LeaseHolder ms1 = Holder("ms1"), ms2 = Holder("ms2"), ms1_again = Holder("ms1");
  ASSERT_TRUE(a->Acquire("instance.a", ms1, 1000, kLong).ok());
  ASSERT_TRUE(a->Acquire("instance.b", ms1, 1000, kLong).ok());
  ASSERT_TRUE(a->Acquire("instance.gone", ms1, kShort, kLong).ok());
  ASSERT_TRUE(a->Acquire("instance.c", ms2, kLong, kLong).ok());
  ASSERT_TRUE(a->Acquire("instance.d", ms1_again, kLong, kLong).ok());
  auto released = a->Acquire("instance.released", ms1, kLong, kLong);
  ASSERT_TRUE(released.ok() && a->Release(*released).ok());
  WaitExpired(*a, "instance.gone");

  auto renewed = a->RenewAll(ms1, kLong);
  ASSERT_TRUE(renewed.ok()) << renewed.status().ToString();
  ASSERT_EQ(renewed->size(), 2u);
  EXPECT_EQ((*renewed)[0].name, "instance.a");
  EXPECT_EQ((*renewed)[1].name, "instance.b");
  for (const Lease& l : *renewed) {
    EXPECT_EQ(l.epoch, 1u);
    EXPECT_EQ(l.holder.session, ms1.session);
    EXPECT_EQ(l.ttl_ms, kLong);
    const LeaseView view = Seen(*a, l.name);
    EXPECT_GT(view.remaining_ms, 30000) << l.name << " was not extended";
  }
  const LeaseView gone = Seen(*a, "instance.gone");
  EXPECT_LE(gone.remaining_ms, 0) << "an expired lease was revived";

  auto theirs = a->RenewAll(ms2, kLong);
  ASSERT_TRUE(theirs.ok());
  ASSERT_EQ(theirs->size(), 1u);
  EXPECT_EQ((*theirs)[0].name, "instance.c");
}

TEST_P(DatabaseLeaseTest, ExpiryIsJudgedByTheDatabasesClock) {
  auto a = Open();
  ASSERT_NE(a, nullptr);
  auto before = a->NowMs();
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  // Milliseconds since 1970, as the database counts them: this host's clock, give or take.
  const int64_t host =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  EXPECT_LT(std::abs(*before - host), 60000);

  ASSERT_TRUE(a->Acquire("server.ms1", Holder("ms1"), kShort, kLong).ok());
  auto after = a->NowMs();
  ASSERT_TRUE(after.ok());
  EXPECT_GE(*after, *before);
  // The row's TIMEOUT is the database's now plus the ttl.
  const int64_t timeout = SqlScalar("SELECT TIMEOUT FROM " + Quoted(table_));
  EXPECT_GE(timeout, *before + static_cast<int64_t>(kShort));
  EXPECT_LE(timeout, *after + static_cast<int64_t>(kShort));

  WaitExpired(*a, "server.ms1");
  auto now = a->NowMs();
  ASSERT_TRUE(now.ok());
  EXPECT_GE(*now, timeout);
  const LeaseView view = Seen(*a, "server.ms1");
  EXPECT_FALSE(view.held());
}

// ---- records ----------------------------------------------------------------------------------

TEST_P(DatabaseLeaseTest, GuardedRecordsAreRefusedOnceTheGuardIsLost) {
  auto a = Open();
  ASSERT_NE(a, nullptr);
  const LeaseHolder ms1 = Holder("ms1"), ms2 = Holder("ms2");
  const Lease master = Granted(a->Acquire("master", ms1, kShort * 2, 0));
  ASSERT_TRUE(a->PutRecord(&master, "plan", "v1").ok());
  ASSERT_TRUE(a->PutRecord(nullptr, "restarts.orders@ms1", "3").ok());
  ASSERT_TRUE(a->PutRecord(&master, "restarts.orders@ms2", "1").ok());
  ASSERT_TRUE(a->PutRecord(&master, "restarts.orders@ms2", "2").ok());  // replaces
  auto all = a->ListRecords("");
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].key, "plan");
  EXPECT_EQ((*all)[2].key, "restarts.orders@ms2");
  EXPECT_EQ((*all)[2].value, "2");
  auto restarts = a->ListRecords("restarts.");
  ASSERT_TRUE(restarts.ok());
  EXPECT_EQ(restarts->size(), 2u);
  ASSERT_TRUE(a->EraseRecord(&master, "restarts.orders@ms1").ok());
  ASSERT_TRUE(a->EraseRecord(&master, "never.written").ok());
  auto erased = a->GetRecord("restarts.orders@ms1");
  ASSERT_TRUE(erased.ok());
  EXPECT_FALSE(erased->has_value());

  // A guard that is not the lease as it stands.
  Lease later = master;
  later.epoch += 1;
  EXPECT_EQ(a->PutRecord(&later, "plan", "x").code(), StatusCode::kFenced);
  Lease impostor = master;
  impostor.holder = ms2;
  EXPECT_EQ(a->PutRecord(&impostor, "plan", "x").code(), StatusCode::kFenced);

  // Expired, then taken by another server.
  WaitExpired(*a, "master");
  Status expired = a->PutRecord(&master, "plan", "stale");
  EXPECT_EQ(expired.code(), StatusCode::kFenced) << expired.ToString();
  EXPECT_NE(expired.message().find("master"), std::string::npos) << expired.message();
  const Lease next = Granted(a->Acquire("master", ms2, kLong, 0));
  EXPECT_EQ(a->PutRecord(&master, "plan", "stale").code(), StatusCode::kFenced);
  EXPECT_EQ(a->EraseRecord(&master, "plan").code(), StatusCode::kFenced);
  auto plan = a->GetRecord("plan");
  ASSERT_TRUE(plan.ok() && plan->has_value());
  EXPECT_EQ(**plan, "v1");
  EXPECT_TRUE(a->PutRecord(&next, "plan", "v2").ok());
  ASSERT_TRUE(a->Release(next).ok());
  EXPECT_EQ(a->PutRecord(&next, "plan", "v3").code(), StatusCode::kFenced);
  plan = a->GetRecord("plan");
  ASSERT_TRUE(plan.ok() && plan->has_value());
  EXPECT_EQ(**plan, "v2");
}

// ---- servers racing ---------------------------------------------------------------------------

// Eight servers, each with its own authority (opened at the same moment, on tables none has
// created yet), race for one lease and give it back at once, many times: the first Acquire
// races the INSERT of a lease never held, later ones the UPDATE of its row.
TEST_P(DatabaseLeaseTest, RacingServersNeverShareAnEpoch) {
  constexpr int kServers = 8;
  const int rounds = 25 * SoakFactor();
  std::atomic<int> ready{0};
  std::atomic<int> holder{-1};
  std::vector<std::vector<uint64_t>> won(kServers);
  std::vector<std::string> problems(kServers);
  std::vector<std::thread> servers;
  for (int i = 0; i < kServers; ++i) {
    servers.emplace_back([&, i] {
      auto opened = ha::OpenDatabaseLeaseAuthority(Settings());
      ++ready;
      if (!opened.ok()) {
        problems[i] = "open: " + opened.status().ToString();
        return;
      }
      while (ready.load() < kServers) std::this_thread::yield();
      LeaseAuthority& a = **opened;
      const LeaseHolder me = Holder("ms" + std::to_string(i));
      for (int r = 0; r < rounds; ++r) {
        auto lease = a.Acquire("master", me, kLong, kLong);
        if (!lease.ok()) {
          if (lease.status().code() == StatusCode::kLocked) continue;
          problems[i] = "acquire: " + lease.status().ToString();
          return;
        }
        if (int other = holder.exchange(i); other != -1) {
          problems[i] = "held at once by ms" + std::to_string(i) + " and ms" + std::to_string(other);
        }
        won[i].push_back(lease->epoch);
        holder.store(-1);
        Status released = a.Release(*lease);
        if (!released.ok()) {
          problems[i] = "release: " + released.ToString();
          return;
        }
      }
    });
  }
  for (std::thread& t : servers) t.join();
  for (int i = 0; i < kServers; ++i) EXPECT_EQ(problems[i], "") << "ms" << i;

  std::vector<uint64_t> epochs;
  for (const auto& mine : won) {
    EXPECT_TRUE(std::is_sorted(mine.begin(), mine.end()) && std::adjacent_find(mine.begin(), mine.end()) == mine.end())
        << "a server's epochs must grow";
    epochs.insert(epochs.end(), mine.begin(), mine.end());
  }
  std::sort(epochs.begin(), epochs.end());
  ASSERT_FALSE(epochs.empty());
  EXPECT_EQ(std::adjacent_find(epochs.begin(), epochs.end()), epochs.end()) << "one epoch granted twice";
  // Every epoch was granted to someone, and the row holds the last.
  EXPECT_EQ(epochs.front(), 1u);
  EXPECT_EQ(epochs.back(), epochs.size());
  auto a = Open();
  ASSERT_NE(a, nullptr);
  const LeaseView last = Seen(*a, "master");
  EXPECT_EQ(last.epoch, epochs.back());
}

// ---- data, not SQL ----------------------------------------------------------------------------

TEST_P(DatabaseLeaseTest, HostileNamesAndValuesTravelAsData) {
  auto a = Open();
  ASSERT_NE(a, nullptr);
  const std::vector<std::string> names = {
      "it's",
      "say \"hi\"",
      "a;b",
      "x -- y",
      "'); DROP TABLE " + Quoted(table_) + "; --",
      "naïve ☃ 日本語 😀",
      "$1 ? :name %s \\x00 \\",
      "Master",
      "master",
  };
  std::string all_bytes;
  for (int i = 0; i < 256; ++i) all_bytes += static_cast<char>(i);
  for (const std::string& name : names) {
    const LeaseHolder holder{"ms1", name + " session; 'quoted' ☃"};
    auto lease = a->Acquire(name, holder, kLong, kLong);
    ASSERT_TRUE(lease.ok()) << name << ": " << lease.status().ToString();
    EXPECT_EQ(lease->epoch, 1u) << name;
    const LeaseView view = Seen(*a, name);
    EXPECT_EQ(view.name, name);
    EXPECT_EQ(view.holder.session, holder.session);
    ASSERT_TRUE(a->PutRecord(&*lease, name, all_bytes + name).ok()) << name;
    auto value = a->GetRecord(name);
    ASSERT_TRUE(value.ok() && value->has_value()) << name;
    EXPECT_EQ(**value, all_bytes + name) << name;
  }
  // Name order is byte order, on every database.
  std::vector<std::string> sorted = names;
  std::sort(sorted.begin(), sorted.end());
  auto listed = a->List("");
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  std::vector<std::string> listed_names;
  for (const LeaseView& v : *listed) listed_names.push_back(v.name);
  EXPECT_EQ(listed_names, sorted);
  auto records = a->ListRecords("");
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  ASSERT_EQ(records->size(), names.size());
  for (size_t i = 0; i < sorted.size(); ++i) EXPECT_EQ((*records)[i].key, sorted[i]);

  auto naive = a->List("naïve ☃");
  ASSERT_TRUE(naive.ok());
  ASSERT_EQ(naive->size(), 1u);
  EXPECT_EQ((*naive)[0].name, "naïve ☃ 日本語 😀");
  auto quoted = a->ListRecords("'); DROP");
  ASSERT_TRUE(quoted.ok());
  EXPECT_EQ(quoted->size(), 1u);
  auto none = a->List("zzz");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());

  EXPECT_EQ(a->Acquire(std::string("nul\0inside", 10), Holder("ms1"), kLong, kLong).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(a->Acquire(std::string(256, 'n'), Holder("ms1"), kLong, kLong).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(SqlScalar("SELECT COUNT(*) FROM " + Quoted(table_)), static_cast<int64_t>(names.size()));
}

TEST_P(DatabaseLeaseTest, ClustersAndDomainsSharingATableDoNotSeeEachOther) {
  auto c1 = Open(Settings("c1"));
  auto c2 = Open(Settings("c2"));
  DatabaseLeaseSettings other_domain = Settings("c1");
  other_domain.domain = "other";
  auto d2 = Open(other_domain);
  ASSERT_TRUE(c1 && c2 && d2);
  const LeaseHolder ms1 = Holder("ms1"), ms2 = Holder("ms2");
  auto one = c1->Acquire("master", ms1, kLong, kLong);
  auto two = c2->Acquire("master", ms2, kLong, kLong);
  ASSERT_TRUE(one.ok() && two.ok());
  EXPECT_EQ(one->epoch, 1u);
  EXPECT_EQ(two->epoch, 1u);
  ASSERT_TRUE(c1->Acquire("server.ms1", ms1, kLong, kLong).ok());

  const LeaseView seen = Seen(*c2, "master");
  EXPECT_EQ(seen.holder.session, ms2.session);
  auto listed = c2->List("");
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->size(), 1u);
  auto elsewhere = d2->Find("master");
  ASSERT_TRUE(elsewhere.ok());
  EXPECT_FALSE(elsewhere->has_value());
  auto renewed = c2->RenewAll(ms1, kLong);
  ASSERT_TRUE(renewed.ok());
  EXPECT_TRUE(renewed->empty());
  EXPECT_TRUE(c2->Release(*one).ok());
  const LeaseView still = Seen(*c1, "master");
  EXPECT_TRUE(still.held());

  ASSERT_TRUE(c1->PutRecord(&*one, "plan", "one").ok());
  ASSERT_TRUE(c2->PutRecord(&*two, "plan", "two").ok());
  EXPECT_EQ(c2->PutRecord(&*one, "plan", "x").code(), StatusCode::kFenced);  // c1's guard means nothing in c2
  auto p1 = c1->GetRecord("plan");
  auto p2 = c2->GetRecord("plan");
  auto p3 = d2->GetRecord("plan");
  ASSERT_TRUE(p1.ok() && p2.ok() && p3.ok());
  EXPECT_EQ(p1->value_or(""), "one");
  EXPECT_EQ(p2->value_or(""), "two");
  EXPECT_FALSE(p3->has_value());
}

INSTANTIATE_TEST_SUITE_P(Databases, DatabaseLeaseTest, ::testing::ValuesIn(kBothDatabases), DatabaseName);

// ---- outages (PostgreSQL: a server whose sessions can be cut) ----------------------------------

// A role of its own, whose sessions the test ends and whose logins it forbids, while other
// tests go on using the server.
TEST(DatabaseLeaseOutageTest, ACallThatCannotReachTheDatabaseIsAnIOErrorAndTheNextReconnects) {
  const std::string base = PostgresConnectionString();
  const std::string role = "lease_outage_" + std::to_string(::getpid());
  const std::string table = "ACTIVE_OUTAGE_" + std::to_string(::getpid());
  auto admin = jdbcstore::OdbcConnection::Connect(base);
  ASSERT_TRUE(admin.ok()) << admin.status().ToString();
  auto run = [&](const std::string& sql) {
    Status s = (*admin)->ExecuteDirect(sql, sql);
    ASSERT_TRUE(s.ok()) << s.ToString();
    ASSERT_TRUE((*admin)->Commit().ok());
  };
  DatabaseLeaseSettings s;
  s.connection = base;
  s.table = table;
  s.cluster = "c1";
  s.create_table = true;
  ASSERT_TRUE(ha::OpenDatabaseLeaseAuthority(s).ok());
  run("CREATE ROLE " + role + " LOGIN");
  run("GRANT ALL ON \"" + table + "\", \"" + table + "_RECORDS\" TO " + role);

  std::vector<ConnectionStringPair> pairs = SplitConnectionString(base);
  for (ConnectionStringPair& p : pairs) {
    if (SameConnectionStringKey(p.key, "Uid")) p.value = role;
  }
  s.connection = JoinConnectionString(pairs);
  ASSERT_NE(s.connection.find("Uid=" + role), std::string::npos) << s.connection;
  s.create_table = false;
  s.reconnect_retry_period_ms = 300;
  s.reconnect_retry_interval_ms = 100;
  auto opened = ha::OpenDatabaseLeaseAuthority(s);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  LeaseAuthority& a = **opened;
  const LeaseHolder ms1{"ms1", "outage-session"};
  ASSERT_TRUE(a.Acquire("master", ms1, kLong, kLong).ok());

  const std::string cut =
      "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE usename = '" + role + "'";
  // A session cut while the server stays up: the call reconnects and succeeds.
  run(cut);
  auto renewed = a.RenewAll(ms1, kLong);
  ASSERT_TRUE(renewed.ok()) << renewed.status().ToString();
  EXPECT_EQ(renewed->size(), 1u);

  // A session cut and no way back: kIOError naming the table.
  run("ALTER ROLE " + role + " NOLOGIN");
  run(cut);
  auto lost = a.RenewAll(ms1, kLong);
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.status().code(), StatusCode::kIOError) << lost.status().ToString();
  EXPECT_NE(lost.status().message().find("database " + table), std::string::npos) << lost.status().message();
  auto clock = a.NowMs();
  EXPECT_EQ(clock.status().code(), StatusCode::kIOError);

  // The database back: the next call reconnects.
  run("ALTER ROLE " + role + " LOGIN");
  EXPECT_EQ(Granted(a.Acquire("master", ms1, kLong, kLong)).epoch, 1u);

  opened = Status::Closed("done");  // its connection goes before the role
  run("DROP OWNED BY " + role);
  run("DROP ROLE " + role);
}

}  // namespace
}  // namespace hastore::testing
