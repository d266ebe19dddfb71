// A cluster of real `hastore agent` processes on this machine for the multi-process fault tests:
// short leases (250 ms x 4 = 1 s, no fencing grace) on the authority of the test's parameter
// (local LMDB, or the database authority on SQLite or on the suite's PostgreSQL server), stores
// in a temporary directory (replicated ones on two replication daemons started in the test's
// process), producers journaling every attempt and acknowledgement (tools/queue_journal.h), and
// the checks made afterwards.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "agent_processes.h"
#include "common/daemon_cluster.h"
#include "common/eventually.h"
#include "common/postgres.h"
#include "common/temp_dir.h"
#include "common/whole_file.h"
#include "hastore/ha/cluster_config.h"
#include "hastore/ha/open_authority.h"
#include "hastore/replicated/daemon_config.h"
#include "hastore/storage/config.h"
#include "hastore/storage/io.h"
#include "queue_journal.h"
#include "tools/cli_harness.h"

namespace hastore::testing {

enum class Authority { kLocal, kSqlite, kPostgresql };

// [stores.<name>] of `kind` ("file", "jdbc" or "replicated") with the policy lines `keys`, no
// boot or stability delays, its files (or embedded SQLite database) in ${DIR}/shared, or its
// regions on the fixture's replication daemons.
inline std::string StoreToml(const std::string& name, const std::string& kind, const std::string& keys) {
  const std::string where = kind == "replicated" ? "daemons = \"${RSD}\"\n" : "directory = \"${DIR}/shared\"\n";
  return "[stores." + name + "]\nkind = \"" + kind +
         "\"\ninitial_boot_delay_seconds = 0\npartial_cluster_stability_delay_seconds = 0\n" + keys + "[stores." +
         name + "." + kind + "]\n" + where;
}
// Moves only when its server fails (crash, not shutdown).
inline const std::string kDistributed = "distribution = \"distributed\"\nmigration_policy = \"on-failure\"\n";
// On the first server; moves on crash and shutdown.
inline const std::string kSingleton = "distribution = \"singleton\"\nmigration_policy = \"always\"\n";
// ... and once moved stays where it is (no failback).
inline const std::string kSingletonStays = kSingleton + "failback_delay_seconds = 0\n";


inline std::string AuthorityName(const ::testing::TestParamInfo<Authority>& info) {
  switch (info.param) {
    case Authority::kLocal: return "local";
    case Authority::kSqlite: return "sqlite";
    case Authority::kPostgresql: return "postgresql";
  }
  return "?";
}

inline constexpr uint64_t kLeaseMs = 1000;  // 250 ms x 4
inline constexpr uint64_t kGraceMs = 0;

class AgentProcessCluster {
 public:
  explicit AgentProcessCluster(Authority authority) : authority_kind_(authority) {}

  // Writes and loads the cluster file: `cluster` is the body of [cluster] after its name,
  // `stores` the [stores.*] tables; "${DIR}" in either stands for the test's directory, and
  // "${RSD}" for the configuration file of two replication daemons, started then.
  void Configure(const std::string& cluster, const std::string& stores) {
    static std::atomic<int> next{0};
    const std::string name = "ft" + std::to_string(::getpid()) + "x" + std::to_string(next++);
    std::string text = "[cluster]\nname = \"" + name + "\"\n" + cluster + "\n[leasing]\n" + Leasing(name) +
                       "health_check_interval = 250\nhealth_check_periods_until_fencing = 4\n"
                       "fencing_grace_period = 0\n\n" + stores;
    if (text.find("${RSD}") != std::string::npos) {
      daemons_ = std::make_unique<DaemonCluster>(2, 16ull << 20);
      ASSERT_TRUE(daemons_->StartAll());
      std::ofstream(DaemonsFile()) << replicated::FormatDaemonConfig(daemons_->config());
    }
    for (size_t at; (at = text.find("${RSD}")) != std::string::npos;) text.replace(at, 6, DaemonsFile());
    for (size_t at; (at = text.find("${DIR}")) != std::string::npos;) text.replace(at, 6, dir_.path());
    path_ = dir_.path() + "/cluster.toml";
    std::ofstream(path_) << text;
    Result<ha::ClusterConfig> config = ha::LoadClusterConfig(path_);
    ASSERT_TRUE(config.ok()) << config.status().ToString() << "\n" << text;
    config_ = std::move(*config);
    Result<std::unique_ptr<ha::LeaseAuthority>> authority = ha::OpenLeaseAuthority(config_);
    ASSERT_TRUE(authority.ok()) << authority.status().ToString();
    authority_ = std::move(*authority);
    agents_ = std::make_unique<tools::AgentProcesses>(HASTORE_CLI, dir_.path(), path_);
  }

  void Start(const std::string& server, double rate = 100) {
    Status s = agents_->Start(server, rate);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  // instance -> server, for the instances held live now.
  std::map<std::string, std::string> Owners() { return tools::LiveOwners(*authority_); }

  std::vector<tools::JournalLine> Journals() const { return tools::ReadJournals(agents_->JournalPaths()); }

  // Waits until every instance in `where` is held live by its server there and has taken a
  // commit there after `after_ms`.
  bool ActiveWithCommits(const std::map<std::string, std::string>& where, uint64_t after_ms = 0) {
    return Eventually([&] {
      const std::map<std::string, std::string> owners = Owners();
      for (const auto& [instance, server] : where) {
        auto it = owners.find(instance);
        if (it == owners.end() || it->second != server) return false;
      }
      const std::vector<tools::JournalLine> lines = Journals();  // only once the owners are right
      for (const auto& [instance, server] : where) {
        bool committed = false;
        for (const tools::JournalLine& j : lines) {
          committed |= j.kind == 'A' && j.instance == instance && j.server == server && j.ms > after_ms;
        }
        if (!committed) return false;
      }
      return true;
    });
  }

  // Stops every agent in order, then: every acknowledged message is in its store exactly once,
  // none that failed as not applied is there (the outcome contract), and something was
  // acknowledged at all.
  void ExpectEveryAcknowledgedMessageOnce() {
    agents_->TerminateAll();
    Result<tools::QueueCheck> check = tools::CheckQueues(config_, Journals());
    ASSERT_TRUE(check.ok()) << check.status().ToString();
    EXPECT_GT(check->acknowledged, 0u);
    EXPECT_EQ(check->recovered, check->acknowledged);
    EXPECT_TRUE(check->lost.empty()) << check->lost.size() << " lost, the first: " << check->lost[0] << Logs();
    EXPECT_TRUE(check->duplicated.empty()) << check->duplicated[0];
    EXPECT_TRUE(check->refused_yet_stored.empty()) << check->refused_yet_stored.size()
                                                    << " refused yet stored, the first: " << check->refused_yet_stored[0];
  }

  std::string Log(const std::string& server) const { return ReadWholeFile(agents_->LogPath(server)); }
  // Every server's log, for failure messages.
  std::string Logs() const {
    std::string all;
    for (const std::string& s : config_.Servers()) all += "\n--- " + s + ".log\n" + Log(s);
    return all;
  }
  static uint64_t NowMs() { return Clock::Default()->NowMonotonicMs(); }

  const std::string& dir() const { return dir_.path(); }
  std::string DaemonsFile() const { return dir_.path() + "/rsd.toml"; }
  const std::string& path() const { return path_; }
  const ha::ClusterConfig& config() const { return config_; }
  ha::LeaseAuthority& authority() { return *authority_; }
  tools::AgentProcesses& agents() { return *agents_; }

 private:
  std::string Leasing(const std::string& name) const {
    // Literal TOML strings: a connection string may hold '\' or '"'.
    const std::string table = "auto_migration_table_creation_policy = \"Always\"\ntable = \"FT_" + name + "\"\n";
    switch (authority_kind_) {
      case Authority::kLocal: return "basis = \"local\"\ndirectory = '" + dir_.path() + "/leases'\n";
      case Authority::kSqlite:
        return "basis = \"database\"\nconnection = '" + EmbeddedSqliteConnection(dir_.path() + "/leases.db") + "'\n" +
               table;
      case Authority::kPostgresql:
        return "basis = \"database\"\nconnection = '" + PostgresConnectionString() + "'\n" + table;
    }
    return "";
  }

  const Authority authority_kind_;
  TempDir dir_;
  std::string path_;
  ha::ClusterConfig config_;
  std::unique_ptr<ha::LeaseAuthority> authority_;
  std::unique_ptr<DaemonCluster> daemons_;          // replicated stores' daemons, when there are any
  std::unique_ptr<tools::AgentProcesses> agents_;  // destroyed first: no agent outlives the test
};

}  // namespace hastore::testing
