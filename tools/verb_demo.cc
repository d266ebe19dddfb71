// `hastore demo`: three servers on this machine with local leases, a distributed file store and
// a singleton JDBC store on embedded SQLite, producers writing through the example queue; the
// server that holds the singleton is killed with SIGKILL, its instances migrate and recover, and
// every acknowledged message is looked for in the stores afterwards.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <thread>

#include "hastore/ha/cluster_config.h"
#include "hastore/ha/open_authority.h"
#include "hastore/storage/io.h"
#include "store_opener.h"
#include "verb.h"

extern char** environ;

namespace hastore::tools {
namespace {

using namespace std::chrono_literals;
constexpr std::string_view kVerb = "demo";
const std::vector<std::string> kServers = {"ms1", "ms2", "ms3"};

struct DemoArgs {
  std::string dir;
  double seconds = 3;
  double rate = 200;
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

// A child `hastore agent`, its stderr in <dir>/<server>.log.
pid_t SpawnAgent(const std::string& dir, const std::string& server, double rate) {
  std::vector<std::string> args = {"/proc/self/exe", "agent", "--config", dir + "/cluster.toml", "--server", server,
                                   "--produce", std::to_string(rate), "--journal", dir + "/journal-" + server};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  const std::string log = dir + "/" + server + ".log";
  posix_spawn_file_actions_addopen(&actions, 2, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  pid_t pid = -1;
  if (posix_spawn(&pid, "/proc/self/exe", &actions, nullptr, argv.data(), environ) != 0) pid = -1;
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

// instance -> the server holding its lease, for instances held live.
std::map<std::string, std::string> Owners(ha::LeaseAuthority& authority) {
  std::map<std::string, std::string> out;
  Result<std::vector<ha::LeaseView>> leases = authority.List(ha::kInstanceLeasePrefix);
  if (!leases.ok()) return out;
  for (const ha::LeaseView& l : *leases) {
    std::optional<std::string> instance = ha::InstanceOfLease(l.name);
    if (l.held() && instance) out[*instance] = l.holder.server;
  }
  return out;
}

struct Ack {
  uint64_t ms = 0;
  std::string server, instance, n;
  Handle id = 0;
};

struct Journals {
  uint64_t written = 0;
  std::vector<Ack> acks;
};

Journals ReadJournals(const std::string& dir) {
  Journals j;
  for (const std::string& server : kServers) {
    std::ifstream in(dir + "/journal-" + server);
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string kind;
      Ack a;
      a.server = server;
      fields >> kind >> a.ms >> a.instance >> a.n;
      if (kind == "W") ++j.written;
      if (kind == "A" && (fields >> a.id)) j.acks.push_back(a);
    }
  }
  return j;
}

// id -> body of every message of an instance, read from its store without taking it over.
Result<std::map<Handle, std::string>> ReadQueue(const ha::InstanceSpec& spec) {
  const StoreConfig& c = spec.config;
  const StoreLocation location{c.kind == StoreKind::kFile ? c.file.directory : c.jdbc.directory, spec.instance, c};
  Result<std::unique_ptr<Store>> store = OpenReadOnly(location);
  if (!store.ok()) return store.status();
  std::map<Handle, std::string> out;
  for (const Connection& c : (*store)->Connections()) {
    if (c.name != "queue") continue;
    HASTORE_RETURN_IF_ERROR((*store)->Scan(c, [&](Handle h, std::string_view body) {
      out.emplace(h, std::string(body));
      return true;
    }));
  }
  return out;
}

class Demo {
 public:
  explicit Demo(const DemoArgs& args) : args_(args) {}
  ~Demo() {
    for (auto& [server, pid] : pids_) {
      if (pid > 0) ::kill(pid, SIGKILL);
      if (pid > 0) ::waitpid(pid, nullptr, 0);
    }
  }

  int Run() {
    dir_ = args_.dir;
    std::filesystem::create_directories(dir_ + "/shared");
    std::ofstream(dir_ + "/cluster.toml") << ClusterToml(dir_);
    Result<ha::ClusterConfig> config = ha::LoadClusterConfig(dir_ + "/cluster.toml");
    if (!config.ok()) return Fail(kVerb, config.status());
    config_ = *config;
    Result<std::unique_ptr<ha::LeaseAuthority>> authority = ha::OpenLeaseAuthority(config_);
    if (!authority.ok()) return Fail(kVerb, authority.status());
    authority_ = std::move(*authority);

    Say("cluster 'demo': 3 servers (ms1, ms2, ms3) on this machine, local leases of 1 s, in " + dir_);
    Say("stores: queue (file, distributed, on-failure) and ledger (jdbc on SQLite, singleton, always)");
    for (const std::string& s : kServers) {
      pids_[s] = SpawnAgent(dir_, s, args_.rate);
      if (pids_[s] <= 0) return Fail(kVerb, "could not start the agent of " + s, kExitFailed);
      Say("started " + s + " (pid " + std::to_string(pids_[s]) + ", log " + dir_ + "/" + s + ".log)");
    }
    // Settled: every instance active, each queue@<server> on its own server.
    std::map<std::string, std::string> owners;
    const auto settled = [&] {
      owners = Owners(*authority_);
      if (owners.size() != 4) return false;
      for (const std::string& s : kServers) {
        if (owners["queue@" + s] != s) return false;
      }
      return true;
    };
    if (!WaitFor(settled, 30s))
      return Fail(kVerb, "the 4 instances did not settle on their servers within 30 s (see the logs)", kExitFailed);
    for (const auto& [instance, server] : owners) Say(instance + " active on " + server);

    Say("producers write " + std::to_string(static_cast<int>(args_.rate)) + " messages/s to each instance for " +
        Seconds(args_.seconds) + " s");
    std::this_thread::sleep_for(std::chrono::duration<double>(args_.seconds));

    const std::string victim = owners["ledger-01"];
    std::vector<std::string> moving;
    for (const auto& [instance, server] : owners) {
      if (server == victim) moving.push_back(instance);
    }
    const uint64_t killed_ms = Clock::Default()->NowMonotonicMs();  // the clock of the journals
    ::kill(pids_[victim], SIGKILL);
    ::waitpid(pids_[victim], nullptr, 0);
    pids_[victim] = 0;
    Say("kill -9 " + victim + ", which held " + std::to_string(moving.size()) + " instances");
    std::map<std::string, std::string> after;
    const bool moved = WaitFor([&] {
      after = Owners(*authority_);
      for (const std::string& i : moving) {
        if (after.count(i) == 0 || after[i] == victim) return false;
      }
      return true;
    }, 30s);
    if (!moved) return Fail(kVerb, "the instances of " + victim + " did not move within 30 s", kExitFailed);
    for (const std::string& i : moving) Say(i + " active on " + after[i]);

    Say("producers go on for " + Seconds(args_.seconds) + " s");
    std::this_thread::sleep_for(std::chrono::duration<double>(args_.seconds));
    for (auto& [server, pid] : pids_) {
      if (pid > 0) ::kill(pid, SIGTERM);
    }
    for (auto& [server, pid] : pids_) {
      if (pid > 0) ::waitpid(pid, nullptr, 0);
      pid = 0;
    }
    Say("servers stopped (SIGTERM); checking every acknowledged message in the stores");
    return Summarize(killed_ms, victim, moving);
  }

 private:
  int Summarize(uint64_t killed_ms, const std::string& victim, const std::vector<std::string>& moving) {
    const Journals j = ReadJournals(dir_);
    std::map<std::string, std::map<Handle, std::string>> stored;
    for (const ha::InstanceSpec& spec : ha::Instances(config_)) {
      Result<std::map<Handle, std::string>> q = ReadQueue(spec);
      if (!q.ok()) return Fail(kVerb, q.status());
      stored[spec.instance] = std::move(*q);
    }
    uint64_t recovered = 0, lost = 0;
    for (const Ack& a : j.acks) {
      auto it = stored[a.instance].find(a.id);
      if (it != stored[a.instance].end() && it->second == a.server + " " + a.instance + " " + a.n) {
        ++recovered;
      } else if (lost++ < 5) {
        Say("LOST: " + a.instance + " message " + a.n + " (id " + std::to_string(a.id) + ") acknowledged to " + a.server);
      }
    }
    uint64_t failover_ms = 0;
    std::vector<std::string> stalled;  // moved, but never took a commit elsewhere: no failover at all
    for (const std::string& instance : moving) {
      uint64_t first = 0;
      for (const Ack& a : j.acks) {
        if (a.instance == instance && a.server != victim && a.ms > killed_ms && (first == 0 || a.ms < first)) first = a.ms;
      }
      if (first == 0) {
        stalled.push_back(instance);
        continue;
      }
      failover_ms = std::max(failover_ms, first - killed_ms);
    }
    std::cout << "\nsummary\n"
              << "  written       " << j.written << "  (enqueue attempts)\n"
              << "  acknowledged  " << j.acks.size() << "\n"
              << "  recovered     " << recovered << "  (acknowledged and found in the stores after the run)\n"
              << "  lost          " << lost << "\n"
              << "  failover      " << failover_ms << " ms  (kill -9 of " << victim
              << " until the last of its instances took its first commit elsewhere; lease 1000 ms)\n";
    for (const std::string& instance : stalled) {
      std::cout << "  FAILED: " << instance << " took no commit on another server after the kill of " << victim
                << "; its failover did not complete\n";
    }
    return lost == 0 && stalled.empty() ? kExitOk : kExitFailed;
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
  std::string dir_;
  ha::ClusterConfig config_;
  std::unique_ptr<ha::LeaseAuthority> authority_;
  std::map<std::string, pid_t> pids_;
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
  cmd->add_option("--seconds", args->seconds, "Seconds of production before the kill, and after it")
      ->check(CLI::Range(0.5, 3600.0))
      ->capture_default_str();
  cmd->add_option("--rate", args->rate, "Messages per second per instance")->check(CLI::Range(1.0, 100000.0))->capture_default_str();
  return {cmd, [args] { return RunDemo(*args); }};
}

}  // namespace hastore::tools
