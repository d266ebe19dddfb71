// `hastore bench`: the throughput runner (hastore/bench/runner.h) from the command line.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "hastore/bench/runner.h"
#include "verb.h"

namespace hastore::tools {
namespace {

constexpr std::string_view kVerb = "bench";

struct BenchArgs {
  bench::BenchOptions options;
  bool json = false;
};

int RunBenchVerb(const BenchArgs& args) {
  auto rows = bench::RunBench(args.options, std::cerr);
  if (!rows.ok()) return Fail(kVerb, rows.status());
  std::cout << (args.json ? bench::FormatJson(*rows) : bench::FormatTable(*rows));
  return kExitOk;
}

}  // namespace

Verb AddBenchVerb(CLI::App& app) {
  auto args = std::make_shared<BenchArgs>();
  bench::BenchOptions& o = args->options;
  CLI::App* cmd = AddVerbCommand(app, "bench", "Measure commit throughput and latency against raw and LMDB references",
      "For each kind, sync policy, writer count and record size: durable commits per second and commit latency "
      "percentiles, beside a raw pwrite+fdatasync reference and LMDB on the same file system. Progress goes to "
      "stderr, the table (or JSON) to stdout.");
  cmd->add_option("--kinds", o.kinds, "Comma-separated: file, raw, lmdb (default: all)")->delimiter(',');
  cmd->add_option("--policies", o.policies,
                  "Comma-separated sync policies for kind file: Direct-Write, Direct-Write-With-Cache, Cache-Flush, "
                  "Disabled (default: all)")
      ->delimiter(',');
  cmd->add_option("--writers", o.writers, "Comma-separated writer thread counts (default: 1,4,16,64)")
      ->delimiter(',')
      ->check(CLI::Range(1, 4096));
  cmd->add_option("--sizes", o.sizes, "Comma-separated record sizes in bytes (default: 64,1024,16384)")
      ->delimiter(',')
      ->check(CLI::Range(size_t{1}, size_t{1} << 30));
  cmd->add_option("--seconds", o.seconds, "Measured seconds per row")
      ->capture_default_str()
      ->check(CLI::Range(0.01, 86400.0));
  cmd->add_option("--dir", o.dir, "Where the stores and files go (default: a new temporary directory, removed after)");
  cmd->add_flag("--json", args->json,
                "A JSON array of {kind, policy, writers, record_size, commits_per_s, p50_us, p99_us, p999_us, "
                "ratio_to_raw} instead of the table");
  return {cmd, [args] { return RunBenchVerb(*args); }};
}

}  // namespace hastore::tools
