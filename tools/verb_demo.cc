// `hastore demo`: three servers on this machine with local leases, a distributed file store and
// a singleton JDBC store on embedded SQLite, producers writing through the example queue; the
// server that holds the singleton is killed with SIGKILL, its instances migrate and recover, and
// every acknowledged message is looked for in the stores afterwards.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <thread>

#include "agent_processes.h"
#include "hastore/ha/cluster_config.h"
#include "hastore/ha/open_authority.h"
#include "hastore/storage/io.h"
#include "queue_journal.h"
#include "number_option.h"
#include "verb.h"

namespace hastore::tools {
namespace {

using namespace std::chrono_literals;
constexpr std::string_view kVerb = "demo";

struct DemoArgs {
  std::string dir;
  double seconds = 3;
  double rate = 200;
  int trials = 1;
};

std::string Seconds(double s) {
  std::ostringstream out;
  out << s;
  return out.str();
}

// examples/cluster.toml, with `dir` for /tmp/hastore-demo: keep the two the same.
std::string ClusterToml(const std::string& dir) {
  return "[cluster]\nname = \"demo\"\nservers = [\"ms1\", \"ms2\", \"ms3\"]\n\n"
         "[leasing]\nbasis = \"local\"\ndirectory = \"" + dir + "/leases\"\n"
         "health_check_interval = 250\nhealth_check_periods_until_fencing = 4\nfencing_grace_period = 0\n\n"
         "[stores.queue]\nkind = \"file\"\ndistribution = \"distributed\"\nmigration_policy = \"on-failure\"\n"
         "initial_boot_delay_seconds = 2\npartial_cluster_stability_delay_seconds = 0\n"
         "[stores.queue.file]\ndirectory = \"" + dir + "/shared\"\n\n"
         "[stores.ledger]\nkind = \"jdbc\"\ndistribution = \"singleton\"\nmigration_policy = \"always\"\n"
         "initial_boot_delay_seconds = 2\npartial_cluster_stability_delay_seconds = 0\n"
         "[stores.ledger.jdbc]\ndirectory = \"" + dir + "/shared\"\n";
}

// One kill -9 of the singleton's owner: when, whom, what it held, and how long until the last
// of those instances took its first commit on another server (0: it never did).
struct Trial {
  uint64_t killed_ms = 0;
  std::string victim;
  std::vector<std::string> moving;
  uint64_t failover_ms = 0;
};

// The nearest-rank percentile of a non-empty list.
uint64_t Percentile(std::vector<uint64_t> values, double p) {
  std::sort(values.begin(), values.end());
  const size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(values.size())));
  return values[std::clamp<size_t>(rank, 1, values.size()) - 1];
}

class Demo {
 public:
  explicit Demo(const DemoArgs& args)
      : args_(args), agents_("/proc/self/exe", args.dir, args.dir + "/cluster.toml") {}

  int Run() {
    std::filesystem::create_directories(args_.dir + "/shared");
    std::ofstream(args_.dir + "/cluster.toml") << ClusterToml(args_.dir);
    Result<ha::ClusterConfig> config = ha::LoadClusterConfig(args_.dir + "/cluster.toml");
    if (!config.ok()) return Fail(kVerb, config.status());
    config_ = *config;
    Result<std::unique_ptr<ha::LeaseAuthority>> authority = ha::OpenLeaseAuthority(config_);
    if (!authority.ok()) return Fail(kVerb, authority.status());
    authority_ = std::move(*authority);

    Say("cluster 'demo': 3 servers (ms1, ms2, ms3) on this machine, local leases of 1 s, in " + args_.dir);
    Say("stores: queue (file, distributed, on-failure) and ledger (jdbc on SQLite, singleton, always)");
    for (const std::string& s : config_.Servers()) {
      if (Status started = agents_.Start(s, args_.rate); !started.ok()) return Fail(kVerb, started);
      Say("started " + s + " (log " + agents_.LogPath(s) + ")");
    }
    Say("producers write " + std::to_string(static_cast<int>(args_.rate)) + " messages/s to each instance");
    std::vector<Trial> trials;
    for (int t = 1; t <= args_.trials; ++t) {
      if (args_.trials > 1) Say("trial " + std::to_string(t) + " of " + std::to_string(args_.trials));
      Result<Trial> trial = KillTheSingletonsOwner(t == 1);
      if (!trial.ok()) return Fail(kVerb, trial.status().message(), kExitFailed);
      trials.push_back(std::move(*trial));
      if (t < args_.trials) {
        if (Status again = agents_.Start(trials.back().victim, args_.rate); !again.ok()) return Fail(kVerb, again);
        Say("started " + trials.back().victim + " again");
      }
    }
    Say("producers go on for " + Seconds(args_.seconds) + " s");
    std::this_thread::sleep_for(std::chrono::duration<double>(args_.seconds));
    agents_.TerminateAll();
    Say("servers stopped (SIGTERM); checking every acknowledged message in the stores");
    return Summarize(trials);
  }

 private:
  // Waits for every instance on its server, lets the producers write, kills the server that
  // holds the singleton and waits until each of its instances took a commit elsewhere.
  Result<Trial> KillTheSingletonsOwner(bool verbose) {
    // Settled: every instance active on its preferred server (each queue@<server> on its own,
    // the singleton on the first server, where it fails back to at once).
    const std::vector<std::string> servers = config_.Servers();
    std::map<std::string, std::string> owners;
    const auto settled = [&] {
      owners = LiveOwners(*authority_);
      if (owners.size() != 4 || owners["ledger-01"] != servers[0]) return false;
      for (const std::string& s : servers) {
        if (owners["queue@" + s] != s) return false;
      }
      return true;
    };
    if (!WaitFor(settled, 30s)) return Status::Failed("the 4 instances did not settle on their servers within 30 s (see the logs)");
    if (verbose) {
      for (const auto& [instance, server] : owners) Say(instance + " active on " + server);
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(args_.seconds));

    Trial trial;
    trial.victim = owners["ledger-01"];
    for (const auto& [instance, server] : owners) {
      if (server == trial.victim) trial.moving.push_back(instance);
    }
    trial.killed_ms = Clock::Default()->NowMonotonicMs();  // the clock of the journals
    agents_.Kill(trial.victim);
    Say("kill -9 " + trial.victim + ", which held " + std::to_string(trial.moving.size()) + " instances");
    // Failover ends when the last moved instance took its first commit on another server. The
    // journals are read only once the leases moved (reading them every poll would load the
    // machine whose failover is being timed), and then only what each poll added to them: the
    // lines read before hold no first commit still missing (those of earlier trials were
    // written before this kill).
    const bool moved = WaitFor([&] {
      const std::map<std::string, std::string> now = LiveOwners(*authority_);
      for (const std::string& i : trial.moving) {
        auto owner = now.find(i);
        if (owner == now.end() || owner->second == trial.victim) return false;
      }
      return true;
    }, 30s);
    if (!moved) {
      return Status::Failed("FAILED: the leases of the instances of " + trial.victim +
                            " did not move to another server within 30 s of its kill (see the logs in " + args_.dir + ")");
    }
    std::map<std::string, uint64_t> first;
    const bool recovered = WaitFor([&] {
      const std::vector<JournalLine> lines = journals_.Poll(agents_.JournalPaths());
      for (const std::string& i : trial.moving) {
        if (first.count(i) != 0) continue;
        if (std::optional<uint64_t> ms = FirstAckAfter(lines, i, trial.killed_ms, trial.victim)) first[i] = *ms;
      }
      return first.size() == trial.moving.size();
    }, 30s);
    if (!recovered) {
      std::string stalled;
      for (const std::string& i : trial.moving) {
        if (first.count(i) == 0) stalled += " " + i;
      }
      return Status::Failed("FAILED: no commit on another server within 30 s of the kill of " + trial.victim +
                            " for:" + stalled + "; its failover did not complete (see the logs in " + args_.dir + ")");
    }
    const std::map<std::string, std::string> after = LiveOwners(*authority_);
    for (const std::string& i : trial.moving) {
      trial.failover_ms = std::max(trial.failover_ms, first[i] - trial.killed_ms);
      auto owner = after.find(i);
      Say(i + " active on " + (owner == after.end() ? std::string("?") : owner->second) + ", first commit " +
          std::to_string(first[i] - trial.killed_ms) + " ms after the kill");
    }
    return trial;
  }

  int Summarize(const std::vector<Trial>& trials) {
    journals_.Poll(agents_.JournalPaths());
    Result<QueueCheck> check = CheckQueues(config_, journals_.Lines());
    if (!check.ok()) return Fail(kVerb, check.status());
    for (size_t i = 0; i < check->lost.size() && i < 5; ++i) Say("LOST: " + check->lost[i]);
    for (size_t i = 0; i < check->duplicated.size() && i < 5; ++i) Say("DUPLICATED: " + check->duplicated[i]);
    for (size_t i = 0; i < check->refused_yet_stored.size() && i < 5; ++i) Say("NOT APPLIED, YET STORED: " + check->refused_yet_stored[i]);
    std::vector<uint64_t> failover;
    for (const Trial& t : trials) failover.push_back(t.failover_ms);
    std::cout << "\nsummary\n"
              << "  written       " << check->written << "  (enqueue attempts)\n"
              << "  acknowledged  " << check->acknowledged << "\n"
              << "  recovered     " << check->recovered << "  (acknowledged and found in the stores after the run)\n"
              << "  lost          " << check->lost.size() << "\n"
              << "  duplicated    " << check->duplicated.size() << "\n"
              << "  failed as not applied, yet stored  " << check->refused_yet_stored.size() << "\n";
    if (trials.size() == 1) {
      std::cout << "  failover      " << failover[0] << " ms  (kill -9 of " << trials[0].victim
                << " until the last of its instances took its first commit elsewhere; lease 1000 ms)\n";
    } else {
      std::cout << "  failover      " << Percentile(failover, 50) << " ms p50, " << Percentile(failover, 99)
                << " ms p99, " << *std::max_element(failover.begin(), failover.end()) << " ms max over "
                << trials.size() << " trials  (kill -9 of the singleton's owner until the last of its instances took "
                << "its first commit elsewhere; lease 1000 ms)\n  trials       ";
      for (uint64_t ms : failover) std::cout << " " << ms;
      std::cout << "\n";
    }
    return check->lost.empty() && check->duplicated.empty() && check->refused_yet_stored.empty() ? kExitOk : kExitFailed;
  }

  template <class Pred>
  bool WaitFor(Pred pred, std::chrono::milliseconds bound) {
    const auto until = std::chrono::steady_clock::now() + bound;
    while (!pred()) {
      if (std::chrono::steady_clock::now() > until) return false;
      std::this_thread::sleep_for(20ms);
    }
    return true;
  }

  void Say(const std::string& line) const {
    const double t = static_cast<double>(Clock::Default()->NowMonotonicMs() - start_ms_) / 1000.0;
    char stamp[16];
    std::snprintf(stamp, sizeof(stamp), "[%6.2f s] ", t);
    std::cout << stamp << line << std::endl;
  }

  const DemoArgs& args_;
  const uint64_t start_ms_ = Clock::Default()->NowMonotonicMs();
  ha::ClusterConfig config_;
  std::unique_ptr<ha::LeaseAuthority> authority_;
  AgentProcesses agents_;
  JournalTail journals_;  // every server's, read as they grow over the whole run
};

int RunDemo(DemoArgs args) {
  const bool temporary = args.dir.empty();
  if (temporary) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "hastore-demo-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) return Fail(kVerb, "cannot make a temporary directory", kExitFailed);
    args.dir = tmpl;
  }
  int status = Demo(args).Run();
  if (temporary && status == kExitOk) std::filesystem::remove_all(args.dir);
  if (temporary && status != kExitOk) std::cerr << "hastore demo: kept " << args.dir << " for a look\n";
  return status;
}

}  // namespace

Verb AddDemoVerb(CLI::App& app) {
  auto args = std::make_shared<DemoArgs>();
  CLI::App* cmd = AddVerbCommand(app, "demo", "Run a three-server cluster, kill one, check nothing was lost",
      "Starts three `hastore agent` servers on this machine with local leases (1 s), a distributed file store and a "
      "singleton JDBC store on embedded SQLite; producers enqueue through the example durable queue; the server "
      "holding the singleton is killed with SIGKILL and its instances migrate. At the end every acknowledged "
      "message is looked for in the stores: written, acknowledged, recovered, lost (must be 0) and the failover "
      "time. Needs no database server and no configuration.");
  cmd->add_option("--dir", args->dir, "Where the cluster's files go (default: a temporary directory, removed after)");
  cmd->add_option("--seconds", args->seconds, "Seconds of production before each kill, and after the last")
      ->check(RealNumber(0.5, 3600.0))
      ->capture_default_str();
  cmd->add_option("--rate", args->rate, "Messages per second per instance")->check(RealNumber(1.0, 100000.0))->capture_default_str();
  cmd->add_option("--trials", args->trials,
                  "Kill the singleton's owner this many times (restarting it between kills) and report the failover "
                  "time's p50, p99 and max: the failover benchmark")
      ->transform(WholeNumber(1, 1000))
      ->capture_default_str();
  return {cmd, [args] { return RunDemo(*args); }};
}

}  // namespace hastore::tools
