// `hastore status --config FILE [--json]`: a cluster as its lease authority records it — the
// servers and their leases, the master, every instance with its owner, epoch, state and plan,
// and the Status of Last Migration of those that have one (hastore/ha/cluster_status.h). It
// takes no lease and writes nothing.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "hastore/ha/cluster_status.h"
#include "authority_opener.h"
#include "text_output.h"
#include "verb.h"

namespace hastore::tools {
namespace {

struct StatusArgs {
  std::string config;
  bool json = false;
};

Json LeaseJson(const ha::LeaseView& l) {
  return {{"server", l.holder.server}, {"session", l.holder.session}, {"epoch", l.epoch}, {"remaining_ms", l.remaining_ms}};
}

Json MigrationJson(const ha::MigrationStatus& m) {
  return {{"from", m.from},       {"to", m.to},
          {"state", m.state},     {"message", m.message},
          {"requested_ms", m.requested_ms}, {"finished_ms", m.finished_ms}};
}

Json StatusJson(const ha::ClusterStatus& c) {
  Json servers = Json::array();
  for (const ha::ServerStatus& s : c.servers) {
    Json j = {{"name", s.name}, {"state", std::string(ToString(s.condition))}, {"configured", s.configured}};
    j["lease"] = s.lease.name.empty() ? Json() : LeaseJson(s.lease);
    j["up_since_ms"] = s.up_since_ms;
    servers.push_back(std::move(j));
  }
  Json instances = Json::array();
  for (const ha::InstanceStatus& i : c.instances) {
    Json j = {{"instance", i.instance},
              {"state", std::string(ToString(i.condition))},
              {"summary", ha::Summary(i, c.now_ms)},
              {"owner", i.owner},
              {"epoch", i.epoch},
              {"lease_remaining_ms", i.lease_remaining_ms}};
    j["plan"] = i.plan ? Json{{"server", i.plan->server}, {"not_before_ms", i.plan->not_before_ms}, {"reason", i.plan->reason}}
                       : Json();
    j["last_migration"] = i.last_migration ? MigrationJson(*i.last_migration) : Json();
    instances.push_back(std::move(j));
  }
  return {{"cluster", c.cluster},
          {"authority", c.authority},
          {"now_ms", c.now_ms},
          {"master", c.master ? LeaseJson(*c.master) : Json()},
          {"servers", servers},
          {"instances", instances}};
}

// "epoch 3, 820 ms left, session 812@host/99", "epoch 3, ended 4.1 s ago, ...", "epoch 3, released".
std::string LeaseText(const ha::LeaseView& l) {
  const std::string epoch = "epoch " + std::to_string(l.epoch);
  if (l.holder.server.empty()) return epoch + ", released";
  const std::string left = l.remaining_ms > 0 ? Duration(l.remaining_ms) + " left" : "ended " + Duration(-l.remaining_ms) + " ago";
  return epoch + ", " + left + ", session " + l.holder.session;
}

void PrintMigration(const ha::MigrationStatus& m, int64_t now_ms) {
  std::cout << "    last migration: " << (m.from.empty() ? "(nowhere)" : m.from) << " -> " << m.to << " " << m.state
            << ", requested " << Duration(now_ms - m.requested_ms) << " ago";
  if (m.finished_ms >= 0) std::cout << ", finished " << Duration(now_ms - m.finished_ms) << " ago";
  if (!m.message.empty()) std::cout << ": " << m.message;
  std::cout << '\n';
}

void PrintText(const ha::ClusterStatus& c) {
  std::cout << "cluster " << c.cluster << " (" << c.authority << ")\n";
  std::cout << "master: ";
  if (c.master && c.master->held()) {
    std::cout << c.master->holder.server << " (" << LeaseText(*c.master) << ")\n";
  } else {
    std::cout << "none\n";
  }
  std::cout << "servers:\n";
  for (const ha::ServerStatus& s : c.servers) {
    std::cout << "  " << s.name << "  " << ToString(s.condition);
    if (s.condition == ha::ServerCondition::kUp && s.up_since_ms >= 0)
      std::cout << " for " << Duration(c.now_ms - s.up_since_ms);
    if (!s.configured) std::cout << " (no longer in the configuration)";
    if (!s.lease.name.empty()) std::cout << "  " << LeaseText(s.lease);
    std::cout << '\n';
  }
  std::cout << "instances:\n";
  for (const ha::InstanceStatus& i : c.instances) {
    std::cout << "  " << i.instance << "  " << ha::Summary(i, c.now_ms);
    if (i.epoch != 0) std::cout << "  epoch " << i.epoch;
    std::cout << '\n';
    if (i.plan && i.condition != ha::InstanceCondition::kNotPlaced)
      std::cout << "    plan: " << (i.plan->server.empty() ? "no server" : i.plan->server) << ", " << i.plan->reason << '\n';
    if (i.last_migration) PrintMigration(*i.last_migration, c.now_ms);
  }
}

int RunStatus(const StatusArgs& args) {
  constexpr std::string_view kVerb = "status";
  Result<ha::ClusterConfig> config = ha::LoadClusterConfig(args.config);
  if (!config.ok()) return Fail(kVerb, config.status());
  Result<std::unique_ptr<ha::LeaseAuthority>> authority = OpenExistingAuthority(*config);
  if (!authority.ok()) return Fail(kVerb, authority.status());
  Result<ha::ClusterStatus> status = ha::ReadClusterStatus(**authority, *config);
  if (!status.ok()) return Fail(kVerb, status.status());
  if (args.json) {
    PrintJson(StatusJson(*status));
  } else {
    PrintText(*status);
  }
  return kExitOk;
}

}  // namespace

Verb AddStatusVerb(CLI::App& app) {
  auto args = std::make_shared<StatusArgs>();
  CLI::App* cmd = AddVerbCommand(app, "status", "Show a cluster's servers, leases, instances and migrations",
      "Reads the cluster's lease authority (the [leasing] of the configuration) and prints the servers (up, shut "
      "down, crashed) with their leases, the master, every instance with its owner, epoch, state and plan, and "
      "the Status of Last Migration of each instance that has one. Takes no lease and writes nothing. Times in "
      "--json are milliseconds on the authority's clock (now_ms).");
  cmd->add_option("--config", args->config, "The cluster configuration (TOML)")->required();
  cmd->add_flag("--json", args->json, "One JSON object: cluster, authority, now_ms, master, servers, instances");
  return {cmd, [args] { return RunStatus(*args); }};
}

}  // namespace hastore::tools
