// `hastore agent --config FILE --server NAME`: runs one server of a cluster until SIGTERM or
// SIGINT, then shuts down in order (releasing its leases, so policies that do not migrate on
// shutdown leave its instances alone). Its instances run the example queue service.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <memory>

#include "hastore/ha/agent.h"
#include "hastore/storage/log.h"
#include "queue_service.h"
#include "text_output.h"
#include "number_option.h"
#include "verb.h"

namespace hastore::tools {
namespace {

struct AgentArgs {
  std::string config;
  std::string server;
  double produce = 0;
  std::string journal;
};

int RunAgent(const AgentArgs& args) {
  constexpr std::string_view kVerb = "agent";
  Result<ha::ClusterConfig> config = ha::LoadClusterConfig(args.config);
  if (!config.ok()) return Fail(kVerb, config.status());
  // The signals are taken by sigwait below, so block them before any thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  QueueService service(args.server, args.produce, args.journal);
  ha::AgentOptions options;
  options.config = std::move(*config);
  options.server = args.server;
  options.host = &service;
  Result<std::unique_ptr<ha::Agent>> agent = ha::Agent::Start(std::move(options));
  if (!agent.ok()) return Fail(kVerb, agent.status());
  int signal = 0;
  sigwait(&signals, &signal);
  Logger()->info("{}: {}: shutting down", args.server, signal == SIGTERM ? "SIGTERM" : "SIGINT");
  Status s = (*agent)->Shutdown();
  if (!s.ok()) return Fail(kVerb, s);
  return kExitOk;
}

}  // namespace

Verb AddAgentVerb(CLI::App& app) {
  auto args = std::make_shared<AgentArgs>();
  CLI::App* cmd = AddVerbCommand(app, "agent", "Run one server of a cluster",
      "Runs the server NAME of the cluster configuration FILE (see `hastore config check`): heartbeat, master "
      "election, placement, claiming its instances under their lease epochs, restarting failed ones in place, "
      "fencing itself when it cannot renew its leases in time. Each instance runs the example durable queue. "
      "SIGTERM or SIGINT shuts it down in order (exit status 0). Progress goes to stderr.",
      "Exit status 3: this server could not renew its leases in time and the cluster says on_lease_lost = \"exit\" (its "
      "instances were stopped first).");
  cmd->add_option("--config", args->config, "The cluster configuration (TOML)")->required();
  cmd->add_option("--server", args->server, "Which server of the cluster this is")->required();
  cmd->add_option("--produce", args->produce, "Messages per second to enqueue on each active instance (0: none)")
      ->check(RealNumber(0.0, 100000.0));
  cmd->add_option("--journal", args->journal,
                  "File to append a journal to, for checking later: the producers' attempts (W), acknowledgements (A) "
                  "and refusals (F), and the instances' activations (U) and deactivations (D)");
  return {cmd, [args] { return RunAgent(*args); }};
}

}  // namespace hastore::tools
