// `hastore config check FILE`: validates a cluster configuration and prints what it defines —
// the servers, the leasing, and every instance with its files or table and preferred server.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "hastore/ha/cluster_config.h"
#include "hastore/jdbcstore/connection_string.h"
#include "hastore/storage/io.h"
#include "hastore/storage/names.h"
#include "text_output.h"
#include "verb.h"

namespace hastore::tools {
namespace {

struct ConfigArgs {
  std::string file;
  bool json = false;
};

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

std::string TargetText(const ha::ClusterStore& s) {
  switch (s.target_kind) {
    case ha::TargetKind::kCluster: return "cluster, " + std::string(ToString(s.store.distribution)) +
                                          ", migration " + std::string(ha::ToString(s.policy.migration));
    case ha::TargetKind::kServer: return "server " + s.target;
    case ha::TargetKind::kMigratableTarget: return "migratable target " + s.target;
  }
  return "";
}

Json InstanceJson(const ha::InstanceSpec& spec) {
  Json j = {{"instance", spec.instance},
            {"store", spec.config.name},
            {"kind", std::string(ToString(spec.config.kind))},
            {"target", TargetText(*spec.store)},
            {"preferred_server", spec.preferred_server},
            {"candidate_servers", spec.candidates}};
  switch (spec.config.kind) {
    case StoreKind::kFile: {
      Result<std::string> first = DatFileName(spec.instance, 0);
      j["files"] = JoinPath(spec.config.file.directory, first.ok() ? *first : spec.instance);
      break;
    }
    case StoreKind::kReplicated: {
      Result<std::string> first = RgnFileName(spec.instance, 0);
      j["regions"] = first.ok() ? *first : spec.instance;
      j["daemons"] = spec.config.replicated.daemons;
      break;
    }
    case StoreKind::kJdbc:
      j["table"] = spec.config.table();
      j["connection"] = RedactConnectionString(spec.config.jdbc.EffectiveConnection());
      break;
  }
  return j;
}

Json ConfigJson(const ha::ClusterConfig& c) {
  const ha::LeasingSettings& l = c.leasing;
  Json leasing = {{"basis", std::string(ha::ToString(l.basis))}};
  if (l.basis == ha::LeasingBasis::kLocal) {
    leasing["directory"] = l.directory;
  } else {
    leasing["connection"] = RedactConnectionString(l.connection);
    leasing["table"] = l.table;
    leasing["auto_migration_table_creation_policy"] = std::string(ha::ToString(l.table_creation));
  }
  leasing["health_check_interval_ms"] = l.health_check_interval_ms;
  leasing["health_check_periods_until_fencing"] = l.health_check_periods_until_fencing;
  leasing["lease_ms"] = l.lease_ttl_ms();
  leasing["fencing_grace_period_ms"] = l.fencing_grace_period_ms;
  Json instances = Json::array();
  for (const ha::InstanceSpec& spec : ha::Instances(c)) instances.push_back(InstanceJson(spec));
  return {{"cluster", c.name}, {"domain", c.domain}, {"servers", c.Servers()}, {"leasing", leasing},
          {"instances", instances}};
}

void PrintText(const ha::ClusterConfig& c, const Json& j) {
  std::cout << "cluster " << c.name << " (domain " << c.domain << "): " << c.Servers().size()
            << " servers: " << Join(c.Servers()) << '\n';
  std::cout << "leasing:";
  for (const auto& [key, value] : j["leasing"].items())
    std::cout << ' ' << key << '=' << (value.is_string() ? value.get<std::string>() : value.dump());
  std::cout << '\n' << j["instances"].size() << " instances:\n";
  for (const Json& i : j["instances"]) {
    std::cout << "  " << i["instance"].get<std::string>() << "  " << i["kind"].get<std::string>() << "  "
              << i["target"].get<std::string>() << "  preferred " << i["preferred_server"].get<std::string>()
              << "  candidates " << Join(i["candidate_servers"].get<std::vector<std::string>>()) << '\n';
    if (i.contains("files")) std::cout << "    files " << i["files"].get<std::string>() << '\n';
    if (i.contains("regions")) {
      std::cout << "    regions " << i["regions"].get<std::string>() << " on the daemons of "
                << i["daemons"].get<std::string>() << '\n';
    }
    if (i.contains("table"))
      std::cout << "    table " << i["table"].get<std::string>() << " at " << i["connection"].get<std::string>() << '\n';
  }
}

int RunCheck(const ConfigArgs& args) {
  Result<ha::ClusterConfig> config = ha::LoadClusterConfig(args.file);
  if (!config.ok()) return Fail("config check", config.status());
  const Json j = ConfigJson(*config);
  if (args.json) {
    PrintJson(j);
  } else {
    PrintText(*config, j);
  }
  return kExitOk;
}

}  // namespace

Verb AddConfigVerb(CLI::App& app) {
  auto args = std::make_shared<ConfigArgs>();
  CLI::App* cmd = AddVerbCommand(app, "config", "Check a cluster configuration file",
      "`hastore config check FILE` reads a cluster configuration (TOML; ha/include/hastore/ha/cluster_config.h "
      "documents every key and default), reports the first error naming its key, or prints the servers, the "
      "leasing and every instance with its files or table and its preferred and candidate servers.");
  cmd->require_subcommand(1);
  CLI::App* check = cmd->add_subcommand("check", "Validate FILE and print every instance it defines");
  check->add_option("file", args->file, "The cluster configuration")->required();
  check->add_flag("--json", args->json, "One JSON object: cluster, domain, servers, leasing, instances");
  return {cmd, [args] { return RunCheck(*args); }};
}

}  // namespace hastore::tools
