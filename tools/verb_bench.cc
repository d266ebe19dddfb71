// `hastore bench`: the throughput runner (hastore/bench/runner.h) from the command line.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "hastore/bench/churn.h"
#include "hastore/bench/reopen.h"
#include "hastore/bench/runner.h"
#include "verb.h"
#include "number_option.h"

namespace hastore::tools {
namespace {

constexpr std::string_view kVerb = "bench";
// Record sizes the bench takes: up to a store's default max_record_size.
constexpr uint64_t kMaxRecordSize = 64ull << 20;
constexpr uint64_t kMaxWriters = 1024;

struct BenchArgs {
  bench::BenchOptions options;
  bench::ReopenOptions reopen;
  bench::ChurnOptions churn;
  CLI::App* reopen_command = nullptr;
  CLI::App* churn_command = nullptr;
  bool json = false;
};

int RunBenchVerb(const BenchArgs& args) {
  if (args.reopen_command->parsed()) {
    auto report = bench::RunReopenBench(args.reopen, std::cerr);
    if (!report.ok()) return Fail(kVerb, report.status());
    std::cout << bench::FormatReopenReport(*report, args.json);
    return kExitOk;
  }
  if (args.churn_command->parsed()) {
    auto report = bench::RunChurnBench(args.churn, std::cerr);
    if (!report.ok()) return Fail(kVerb, report.status());
    std::cout << bench::FormatChurnReport(*report, args.json);
    return kExitOk;
  }
  auto rows = bench::RunBench(args.options, std::cerr);
  if (!rows.ok()) return Fail(kVerb, rows.status());
  std::cout << (args.json ? bench::FormatJson(*rows) : bench::FormatTable(*rows));
  return kExitOk;
}

// A byte count that takes the suffixes KiB, MiB, GiB.
void AddByteSizeOption(CLI::App& cmd, const std::string& name, uint64_t* bytes, const std::string& help) {
  cmd.add_option(name, *bytes, help + " (suffixes KiB, MiB, GiB)")->transform(CLI::AsSizeValue(false))
      ->transform(ByteCount())
      ->capture_default_str();
}

// What the reopen and churn scenarios share: record size, where the store goes, JSON output.
void AddScenarioOptions(CLI::App& cmd, size_t* record_size, std::string* dir, bool* json) {
  cmd.add_option("--size", *record_size, "Record size in bytes")->capture_default_str()->transform(WholeNumber(1, kMaxRecordSize));
  cmd.add_option("--dir", *dir, "Where the store goes (default: a new temporary directory, removed after)");
  cmd.add_flag("--json", *json, "One JSON object of the figures instead of the table");
}

// `hastore bench reopen`: time and memory to reopen a store with a large live set.
void AddReopenCommand(CLI::App& bench, BenchArgs& args) {
  bench::ReopenOptions& o = args.reopen;
  CLI::App* cmd = bench.add_subcommand("reopen", "Time and resident memory to reopen a store with a large live set");
  cmd->footer(
      "Loads a file store (in a child process), then reads its files sequentially and reopens it, both with the "
      "page cache emptied of them. Prints the reopen time over the read time and the resident memory per record. "
      "Targets: ratio_to_read at most 2; resident_open - resident_before at most memory_budget.");
  AddByteSizeOption(*cmd, "--live-bytes", &o.live_bytes, "Record bytes to load");
  AddScenarioOptions(*cmd, &o.record_size, &o.dir, &args.json);
  args.reopen_command = cmd;
}

// `hastore bench churn`: disk use while a constant live set is replaced.
void AddChurnCommand(CLI::App& bench, BenchArgs& args) {
  bench::ChurnOptions& o = args.churn;
  CLI::App* cmd = bench.add_subcommand("churn", "Most disk a store takes while its live set is replaced");
  cmd->footer(
      "Loads a live set, then writers replace its records (each transaction removes some and creates as many) "
      "until the created bytes reach --traffic-bytes, sampling the size of the store's files every 10 ms. "
      "Target: max_file_bytes under 1 GiB for 10 GiB of traffic over 100 MiB live.");
  AddByteSizeOption(*cmd, "--live-bytes", &o.live_bytes, "Bytes of the live set");
  AddByteSizeOption(*cmd, "--traffic-bytes", &o.traffic_bytes, "Record bytes to create during the churn");
  AddScenarioOptions(*cmd, &o.record_size, &o.dir, &args.json);
  cmd->add_option("--writers", o.writers, "Writer threads")->capture_default_str()->transform(WholeNumber(1, kMaxWriters));
  cmd->add_option("--per-commit", o.replacements_per_commit, "Records replaced per transaction")
      ->capture_default_str()
      ->transform(WholeNumber(1, 100000));
  cmd->add_option("--policy", o.policy, "Sync policy")->capture_default_str();
  cmd->add_option_function<std::string>(
         "--order", [&o](const std::string& order) { o.random = order == "random"; },
         "Which records are replaced: random (default; compaction copies survivors) or fifo (oldest first)")
      ->check(CLI::IsMember({"random", "fifo"}));
  args.churn_command = cmd;
}

}  // namespace

Verb AddBenchVerb(CLI::App& app) {
  auto args = std::make_shared<BenchArgs>();
  bench::BenchOptions& o = args->options;
  CLI::App* cmd = AddVerbCommand(app, "bench", "Measure commit throughput and latency against raw and LMDB references",
      "For each kind, sync policy, writer count and record size: durable commits per second and commit latency "
      "percentiles, beside a reference measured in the same run, and its ratio to it (x_ref; ratio_to_raw in "
      "JSON); cpu_us is this process's CPU time (user + system, every thread) per commit over the measured "
      "time: in-process daemons count, a database server does not. Kinds:\n"
      "  file             the file store, under each --policies\n"
      "  raw              reference for file: one committer, pwrite + fdatasync per batch\n"
      "  lmdb             LMDB with synchronous commits (compared with raw)\n"
      "  jdbc-sqlite      the JDBC store on embedded SQLite (WAL, synchronous FULL) in --dir\n"
      "  row-sqlite       reference for jdbc-sqlite: one INSERT + COMMIT per commit, a connection per writer\n"
      "  replicated       the replicated store on two replication daemons started in-process on 127.0.0.2/.3\n"
      "  jdbc-postgresql  the JDBC store on the PostgreSQL server of --postgres\n"
      "  row-postgresql   reference for jdbc-postgresql, as row-sqlite\n"
      "PostgreSQL: pass a psqlODBC connection string, e.g. --postgres 'Driver=PostgreSQL Unicode;"
      "Server=127.0.0.1;Port=5432;Database=postgres;Uid=me;Pwd=secret;UseServerSidePrepare=1' (or set "
      "HASTORE_BENCH_POSTGRES). Each row makes a table of its own and drops it. Commits are durable on both "
      "sides: row-postgresql's connections set synchronous_commit = on, and jdbc-postgresql refuses a server "
      "that runs with it off. Progress goes to stderr, the table (or JSON) to stdout. "
      "`hastore bench reopen` and `hastore bench churn` measure reopen time and memory, and disk use under "
      "churn (see their --help).");
  cmd->add_option("--kinds", o.kinds,
                  "Comma-separated: file, raw, lmdb, jdbc-sqlite, row-sqlite, jdbc-postgresql, row-postgresql, replicated "
                  "(default: file,raw,lmdb)")
      ->delimiter(',');
  cmd->add_option("--postgres", o.postgres, "ODBC connection string of the PostgreSQL server for the *-postgresql kinds")
      ->envname("HASTORE_BENCH_POSTGRES");
  cmd->add_option("--jdbc-workers", o.jdbc_workers, "jdbc.worker_count of the jdbc kinds (0: the store's default, 1 on SQLite, 2 on PostgreSQL)")
      ->capture_default_str()
      ->transform(WholeNumber(0, kMaxWriters));
  cmd->add_option("--policies", o.policies,
                  "Comma-separated sync policies for kind file: Direct-Write, Direct-Write-With-Cache, Cache-Flush, "
                  "Disabled (default: all)")
      ->delimiter(',');
  cmd->add_option("--io-engine", o.io_engine, "file.io_engine of the file stores: auto, io_uring or pwrite")
      ->capture_default_str();
  cmd->add_option("--writers", o.writers, "Comma-separated writer thread counts (default: 1,4,16,64)")
      ->delimiter(',')
      ->transform(WholeNumber(1, kMaxWriters));
  cmd->add_option("--sizes", o.sizes, "Comma-separated record sizes in bytes (default: 64,1024,16384)")
      ->delimiter(',')
      ->transform(WholeNumber(1, kMaxRecordSize));
  cmd->add_option("--repeat", o.repeat,
                  "Rounds of the whole plan; each row reports its median round and the median of its ratios "
                  "(for noisy machines)")
      ->capture_default_str()
      ->transform(WholeNumber(1, 1000));
  cmd->add_option("--seconds", o.seconds, "Measured seconds per row")
      ->capture_default_str()
      ->check(RealNumber(0.01, 86400.0));
  cmd->add_option("--dir", o.dir, "Where the stores and files go (default: a new temporary directory, removed after)");
  cmd->add_flag("--json", args->json,
                "A JSON array of {kind, policy, writers, record_size, commits_per_s, p50_us, p99_us, p999_us, "
                "ratio_to_raw, cpu_us_per_commit} instead of the table");
  cmd->require_subcommand(0, 1);
  AddReopenCommand(*cmd, *args);
  AddChurnCommand(*cmd, *args);
  return {cmd, [args] { return RunBenchVerb(*args); }};
}

}  // namespace hastore::tools
