// `hastore rsd --config FILE [--index N]`: runs one replication daemon until SIGTERM or SIGINT,
// or until an operator shuts it down (`hastore rsd-admin shutdown`).
#include <signal.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <limits>
#include <memory>
#include <thread>

#include "hastore/replicated/daemon.h"
#include "hastore/storage/log.h"
#include "text_output.h"
#include "number_option.h"
#include "verb.h"

namespace hastore::tools {
namespace {

struct RsdArgs {
  std::string config;
  int index = -1;
  bool alone = false;
};

int RunRsd(const RsdArgs& args) {
  constexpr std::string_view kVerb = "rsd";
  Result<replicated::DaemonConfig> config = replicated::LoadDaemonConfig(args.config);
  if (!config.ok()) return Fail(kVerb, config.status());
  const int index = args.index >= 0 ? args.index : config->local_index;
  if (index < 0) return Fail(kVerb, "no daemon chosen: give --index N or local_index in " + args.config, kExitUsage);
  sigset_t signals;  // taken by the thread below: blocked before any thread starts
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  replicated::DaemonOptions options;
  options.serve_alone = args.alone;
  const std::string me = "rsd" + std::to_string(index) + ": ";
  options.log = [me](const std::string& line) { Logger()->info("{}{}", me, line); };
  Result<std::unique_ptr<replicated::Daemon>> daemon = replicated::Daemon::Start(*config, index, options);
  if (!daemon.ok()) return Fail(kVerb, daemon.status());
  replicated::Daemon* d = daemon->get();
  std::atomic<bool> done{false};
  std::string reason;
  std::thread waiter([&] {
    reason = d->Wait();  // an operator's shutdown request, or Stop below
    done = true;
  });
  const timespec poll{0, 200 * 1000 * 1000};
  while (!done) {
    const int signal = sigtimedwait(&signals, nullptr, &poll);
    if (signal == SIGTERM || signal == SIGINT) {
      Logger()->info("{}{}: shutting down", me, signal == SIGTERM ? "SIGTERM" : "SIGINT");
      break;
    }
  }
  d->Stop();
  waiter.join();
  Logger()->info("{}{}", me, reason);
  return kExitOk;
}

}  // namespace

Verb AddRsdVerb(CLI::App& app) {
  auto args = std::make_shared<RsdArgs>();
  CLI::App* cmd = AddVerbCommand(app, "rsd", "Run a replication daemon (replicated stores)",
      "Runs daemon N of the daemons' configuration FILE (replicated/daemon_config.h): it holds the .RGN regions of "
      "the instances that hash to it, takes every write only once its partner daemon has it too, and refuses "
      "writes under an epoch older than the instance's claim. A daemon that starts serves nothing until its "
      "partners have given it what it missed (--alone skips that wait, when a partner is gone for good). It "
      "serves only peers and clients that prove they hold the key of the configuration's auth_key_file, and does not "
      "start without that file (at least 32 bytes, mode 600). SIGTERM "
      "or SIGINT stops it; progress goes to stderr.");
  cmd->add_option("--config", args->config, "The daemons' configuration (TOML)")->required();
  cmd->add_option("--index", args->index, "Which daemon of the configuration this is (default: its local_index)")
      ->transform(WholeNumber(0, std::numeric_limits<int>::max()));
  cmd->add_flag("--alone", args->alone, "Serve at once, without waiting for the partner daemons");
  return {cmd, [args] { return RunRsd(*args); }};
}

}  // namespace hastore::tools
