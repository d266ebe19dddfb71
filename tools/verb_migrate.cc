// `hastore migrate --config FILE INSTANCE|TARGET --to SERVER [--wait SECONDS]`: asks the cluster
// to move an instance, or every instance of a migratable target, to a running server
// (hastore/ha/migration.h), then follows the Status of Last Migration until the move is over.
#include <CLI/CLI.hpp>
#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <thread>

#include "hastore/ha/cluster_status.h"
#include "hastore/ha/migration.h"
#include "authority_opener.h"
#include "text_output.h"
#include "number_option.h"
#include "verb.h"

namespace hastore::tools {
namespace {

constexpr std::string_view kVerb = "migrate";

struct MigrateArgs {
  std::string config;
  std::string name;
  std::string to;
  double wait_seconds = 30;
};

// How one requested move stands, by `i`, its instance in the cluster's status (null: not
// there): nullopt while it goes on, else ok (active on the target) or the reason it failed.
std::optional<Status> Outcome(const ha::MigrationTicket& t, const std::string& to, const ha::InstanceStatus* i) {
  if (i == nullptr) return std::nullopt;
  const ha::MigrationStatus* m = i->last_migration ? &*i->last_migration : nullptr;
  if (m != nullptr && m->requested_ms != t.requested_ms)
    return Status::Failed(t.instance + ": another migration was requested meanwhile (to " + m->to + ")");
  if (m != nullptr && m->state == ha::kMigrationFailed)
    return Status::Failed(t.instance + ": the migration to " + to + " failed: " + m->message);
  const bool active_there = i->condition == ha::InstanceCondition::kActive && i->owner == to;
  if (active_there && (m == nullptr || m->state == ha::kMigrationSucceeded)) return Status::Ok();
  return std::nullopt;
}

// Polls the cluster until every requested move is over or `wait_ms` ran out.
int Follow(ha::LeaseAuthority& authority, const ha::ClusterConfig& config, const std::vector<ha::MigrationTicket>& tickets,
           const std::string& to, int64_t wait_ms) {
  const auto start = std::chrono::steady_clock::now();
  const auto elapsed_ms = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  };
  std::map<std::string, const ha::MigrationTicket*> pending;
  for (const ha::MigrationTicket& t : tickets) {
    if (t.requested_ms >= 0) pending.emplace(t.instance, &t);
  }
  int exit_status = kExitOk;
  std::string last_seen;  // for the timeout message: how the slowest move stood
  while (!pending.empty()) {
    Result<ha::ClusterStatus> status = ha::ReadClusterStatus(authority, config);
    if (!status.ok()) last_seen = "cannot read the cluster status: " + status.status().ToString();
    for (auto it = pending.begin(); status.ok() && it != pending.end();) {
      const ha::InstanceStatus* instance = ha::FindInstance(*status, it->first);
      std::optional<Status> done = Outcome(*it->second, to, instance);
      if (!done) {
        if (instance != nullptr) last_seen = it->first + " is " + ha::Summary(*instance, status->now_ms);
        ++it;
        continue;
      }
      if (done->ok()) {
        std::cout << it->first << " is active on " << to << " (" << Duration(elapsed_ms()) << ")\n";
      } else {
        exit_status = Fail(kVerb, done->message(), kExitFailed);
      }
      it = pending.erase(it);
    }
    if (pending.empty()) break;
    if (elapsed_ms() >= wait_ms) {
      return Fail(kVerb, "not active on " + to + " within " + Duration(wait_ms) + ": " + last_seen +
                             " (the migration goes on; see hastore status)", kExitFailed);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return exit_status;
}

int RunMigrate(const MigrateArgs& args) {
  Result<ha::ClusterConfig> config = ha::LoadClusterConfig(args.config);
  if (!config.ok()) return Fail(kVerb, config.status());
  Result<std::unique_ptr<ha::LeaseAuthority>> authority = OpenExistingAuthority(*config);
  if (!authority.ok()) return Fail(kVerb, authority.status());
  Result<std::vector<ha::MigrationTicket>> tickets = ha::RequestMigration(**authority, *config, args.name, args.to);
  if (!tickets.ok()) return Fail(kVerb, tickets.status());
  for (const ha::MigrationTicket& t : *tickets) {
    if (t.requested_ms < 0) {
      std::cout << t.instance << " is already active on " << args.to << ": pinned there\n";
    } else {
      std::cout << "requested: " << t.instance << " from " << (t.from.empty() ? "(nowhere)" : t.from) << " to "
                << args.to << '\n';
    }
  }
  if (args.wait_seconds <= 0) return kExitOk;
  return Follow(**authority, *config, *tickets, args.to, static_cast<int64_t>(args.wait_seconds * 1000));
}

}  // namespace

Verb AddMigrateVerb(CLI::App& app) {
  auto args = std::make_shared<MigrateArgs>();
  CLI::App* cmd = AddVerbCommand(app, "migrate", "Move an instance or a migratable target to another server",
      "Pins INSTANCE, or every instance of the migratable target TARGET, to SERVER and records the request as its "
      "Status of Last Migration in the lease authority; the master's plan follows the pin and the agents move it, "
      "running the target's post script on the old server and its pre script on the new one. Cluster-targeted "
      "instances may be moved too. Refused (exit 2) for an unknown instance, target or server, a server that is not "
      "a candidate of the target, or one that is not up. With --wait (default 30 s; 0: do not wait) it follows the "
      "move: exit 0 once active on SERVER, 1 if the migration failed or did not end in time.");
  cmd->add_option("--config", args->config, "The cluster configuration (TOML)")->required();
  cmd->add_option("name", args->name, "An instance (orders@ms1, ledger-01, jms) or a migratable target")->required();
  cmd->add_option("--to", args->to, "The server to move it to")->required();
  cmd->add_option("--wait", args->wait_seconds, "Seconds to follow the move; 0: return once requested")
      ->check(RealNumber(0.0, 86400.0));
  return {cmd, [args] { return RunMigrate(*args); }};
}

}  // namespace hastore::tools
