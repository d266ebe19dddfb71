// `hastore rsd-admin`: what operators ask replication daemons.
//   daemons    every daemon of the configuration: address, reachable, serving, space used
//   regions    every instance each daemon holds: epoch, claim holder, replica state, regions
//   remove     an instance's regions, from both its daemons (refused while a client holds it)
//   shutdown   one daemon: safely (refused while an instance would be left without an
//              up-to-date copy on its partner) or --force
#include <CLI/CLI.hpp>
#include <iostream>
#include <limits>
#include <memory>

#include "hastore/replicated/daemon_admin.h"
#include "store_locator.h"
#include "text_output.h"
#include "number_option.h"
#include "verb.h"

namespace hastore::tools {
namespace {

constexpr std::string_view kVerb = "rsd-admin";

struct AdminArgs {
  std::string config;
  std::string key_file;  // instead of the configuration's auth_key_file
  bool json = false;
  std::string instance;
  int index = -1;
  bool force = false;
};

Json DaemonJson(const replicated::DaemonInfo& d, bool with_instances) {
  Json j{{"index", d.index}, {"address", d.address}, {"reachable", d.reachable.ok()},
         {"error", d.reachable.ok() ? "" : d.reachable.message()}, {"serving", d.serving},
         {"used_bytes", d.used_bytes}, {"capacity_bytes", d.capacity_bytes}};
  if (!with_instances) return j;
  Json instances = Json::array();
  for (const replicated::HeldInstanceInfo& h : d.instances) {
    Json files = Json::array();
    uint64_t bytes = 0;
    for (const replicated::RegionInfo& f : h.files) {
      files.push_back(Json{{"name", f.name}, {"bytes", f.bytes}});
      bytes += f.bytes;
    }
    instances.push_back(Json{{"instance", h.instance}, {"epoch", h.epoch}, {"holder", h.session},
                             {"replicas", h.partner_stale ? 1 : 2}, {"active", h.live_claims > 0},
                             {"bytes", bytes}, {"files", files}});
  }
  j["instances"] = instances;
  return j;
}

int List(const AdminArgs& args, bool regions) {
  Result<replicated::DaemonConfig> config = replicated::LoadDaemonConfig(args.config, args.key_file);
  if (!config.ok()) return Fail(kVerb, config.status());
  Json all = Json::array();
  int unreachable = 0;
  std::string first_unreachable;
  for (int i = 0; i < static_cast<int>(config->daemons.size()); ++i) {
    const replicated::DaemonInfo d = replicated::QueryDaemon(*config, i);
    if (!d.reachable.ok() && unreachable++ == 0) first_unreachable = d.address + ": " + d.reachable.message();
    if (args.json) {
      all.push_back(DaemonJson(d, regions));
      continue;
    }
    std::cout << "daemon " << i << " " << d.address << ": ";
    if (!d.reachable.ok()) {
      std::cout << "unreachable (" << d.reachable.message() << ")\n";
      continue;
    }
    std::cout << (d.serving ? "serving" : "resynchronising") << ", " << d.used_bytes << " of " << d.capacity_bytes
              << " bytes used, " << d.instances.size() << " instances\n";
    if (!regions) continue;
    for (const replicated::HeldInstanceInfo& h : d.instances) {
      std::cout << "  " << h.instance << ": epoch " << h.epoch << " (" << (h.session.empty() ? "unclaimed" : h.session)
                << "), " << (h.partner_stale ? "1 copy (its partner missed writes)" : "2 copies")
                << (h.live_claims > 0 ? ", active" : "") << '\n';
      for (const replicated::RegionInfo& f : h.files) std::cout << "    " << f.name << " " << f.bytes << " bytes\n";
    }
  }
  if (args.json) PrintJson(all);
  if (unreachable == 0) return kExitOk;
  return Fail(kVerb, std::to_string(unreachable) + " of " + std::to_string(config->daemons.size()) +
                         " daemons of " + args.config + " unreachable (" + first_unreachable + ")", kExitFailed);
}

// A daemon's refusal (kLocked: it would leave data without a copy, or a client holds it) is
// exit status 2, like bad input: nothing was done; anything else is a failure.
int Refused(const Status& s) {
  return Fail(kVerb, s.ToString(), s.code() == StatusCode::kLocked ? kExitUsage : kExitFailed);
}

int Remove(const AdminArgs& args) {
  Result<replicated::DaemonConfig> config = replicated::LoadDaemonConfig(args.config, args.key_file);
  if (!config.ok()) return Fail(kVerb, config.status());
  if (Status name = ConfigForInstance(".", args.instance).status(); !name.ok()) return Fail(kVerb, name);
  Status s = replicated::RemoveInstance(*config, args.instance);
  if (!s.ok()) return Refused(s);
  std::cout << "removed " << args.instance << '\n';
  return kExitOk;
}

int Shutdown(const AdminArgs& args) {
  Result<replicated::DaemonConfig> config = replicated::LoadDaemonConfig(args.config, args.key_file);
  if (!config.ok()) return Fail(kVerb, config.status());
  if (args.index < 0 || args.index >= static_cast<int>(config->daemons.size()))
    return Fail(kVerb, "--index " + std::to_string(args.index) + " is not a daemon of " + args.config, kExitUsage);
  Status s = replicated::ShutdownDaemon(*config, args.index, args.force);
  if (!s.ok()) return Refused(s);
  std::cout << "daemon " << args.index << " is shutting down\n";
  return kExitOk;
}

}  // namespace

Verb AddRsdAdminVerb(CLI::App& app) {
  auto args = std::make_shared<AdminArgs>();
  auto which = std::make_shared<std::function<int()>>();
  CLI::App* cmd = AddVerbCommand(app, "rsd-admin", "Ask replication daemons: daemons, regions, remove, shutdown",
      "daemons: every daemon of the configuration, reachable or not. regions: the instances each daemon holds, "
      "with their epoch, holder, copies and regions. remove INSTANCE: its regions on both daemons (refused while a "
      "client holds it, exit status 2). shutdown --index N: stops a daemon, refused (exit status 2) while an "
      "instance it holds has no up-to-date copy on its partner, unless --force. Every request proves knowledge of the "
      "daemons' key (the configuration's auth_key_file, or --key-file): a daemon refuses anyone without it.");
  cmd->require_subcommand(1);
  CLI::App* daemons = cmd->add_subcommand("daemons", "List the daemons");
  CLI::App* regions = cmd->add_subcommand("regions", "List the instances and regions each daemon holds");
  CLI::App* remove = cmd->add_subcommand("remove", "Remove an instance's regions from both its daemons");
  CLI::App* shutdown = cmd->add_subcommand("shutdown", "Shut a daemon down");
  for (CLI::App* sub : {daemons, regions, remove, shutdown}) {
    sub->add_option("--config", args->config, "The daemons' configuration (TOML)")->required();
    sub->add_option("--key-file", args->key_file,
                    "The daemons' authentication key (default: the configuration's auth_key_file); mode 600");
  }
  for (CLI::App* sub : {daemons, regions}) sub->add_flag("--json", args->json, "JSON instead of text");
  remove->add_option("INSTANCE", args->instance, "The instance")->required();
  shutdown->add_option("--index", args->index, "The daemon")->required()->transform(WholeNumber(0, std::numeric_limits<int>::max()));
  shutdown->add_flag("--force", args->force, "Even if an instance is left without an up-to-date copy");
  daemons->callback([args, which] { *which = [args] { return List(*args, false); }; });
  regions->callback([args, which] { *which = [args] { return List(*args, true); }; });
  remove->callback([args, which] { *which = [args] { return Remove(*args); }; });
  shutdown->callback([args, which] { *which = [args] { return Shutdown(*args); }; });
  return {cmd, [which] { return *which ? (*which)() : kExitUsage; }};
}

}  // namespace hastore::tools
