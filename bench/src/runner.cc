// RunBench: plans the rows, runs each in a fresh scratch directory through the shared commit
// harness, and relates every row to the raw reference at the same writers and size.
#include "hastore/bench/runner.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bench_store.h"
#include "commit_harness.h"
#include "commit_target.h"
#include "report_format.h"
#include "scratch_dir.h"

namespace hastore::bench {

namespace {

constexpr std::array<std::string_view, 7> kKinds = {"file",      "raw",        "lmdb",          "jdbc-sqlite",
                                                   "row-sqlite", "jdbc-postgresql", "row-postgresql"};

bool IsPostgresKind(std::string_view kind) { return kind.ends_with("-postgresql"); }
// "jdbc-sqlite" -> "sqlite".
std::string DatabaseOf(std::string_view kind) { return std::string(kind.substr(kind.find('-') + 1)); }

// What a row is compared with: raw for the file kinds and LMDB, row-<db> for jdbc-<db>.
std::string ReferenceOf(std::string_view kind) {
  if (kind.starts_with("jdbc-")) return "row-" + DatabaseOf(kind);
  return "raw";
}
// Bounds that keep memory and thread counts sane (record sizes: CheckRecordSize).
constexpr int kMaxWriters = 1024;
// writers x record size: every record of a batch is in memory at once (twice, for raw).
constexpr size_t kMaxBytesInFlight = size_t{256} << 20;
constexpr double kWarmupSeconds = 0.3;

struct RowSpec {
  std::string kind;
  std::string policy;  // canonical sync policy name for "file"
  int writers = 0;
  size_t record_size = 0;
};

Status ValidateOptions(const BenchOptions& o) {
  if (o.kinds.empty()) return Status::InvalidArgument("bench: no kinds to run");
  for (const std::string& kind : o.kinds) {
    if (std::find(kKinds.begin(), kKinds.end(), kind) == kKinds.end()) {
      return Status::InvalidArgument("bench: unknown kind '" + kind +
                                     "'; valid are file, raw, lmdb, jdbc-sqlite, row-sqlite, jdbc-postgresql, "
                                     "row-postgresql");
    }
    if (IsPostgresKind(kind) && o.postgres.empty()) {
      return Status::InvalidArgument("bench: kind " + kind +
                                     " needs a PostgreSQL server: --postgres 'Driver=PostgreSQL Unicode;Server=...'");
    }
  }
  if (o.repeat < 1 || o.repeat > 99) return Status::InvalidArgument("bench: repeat " + std::to_string(o.repeat) + " is not in 1..99");
  if (o.jdbc_workers < 0 || o.jdbc_workers > 64) {
    return Status::InvalidArgument("bench: jdbc workers " + std::to_string(o.jdbc_workers) + " is not in 0..64");
  }
  for (const std::string& policy : o.policies) {
    Result<SyncPolicy> parsed = ParseSyncPolicy(policy);
    if (!parsed.ok()) return Status::InvalidArgument("bench: " + parsed.status().message());
  }
  if (Result<IoEngineChoice> engine = ParseIoEngine(o.io_engine); !engine.ok()) {
    return Status::InvalidArgument("bench: " + engine.status().message());
  }
  if (o.writers.empty() || o.sizes.empty()) return Status::InvalidArgument("bench: no writer counts or record sizes");
  for (int w : o.writers) {
    if (w <= 0 || w > kMaxWriters) {
      return Status::InvalidArgument("bench: writers " + std::to_string(w) + " is not in 1.." + std::to_string(kMaxWriters));
    }
  }
  for (size_t s : o.sizes) HASTORE_RETURN_IF_ERROR(CheckRecordSize("bench", s));
  for (int w : o.writers) {
    for (size_t s : o.sizes) {
      if (static_cast<size_t>(w) * s > kMaxBytesInFlight) {
        return Status::InvalidArgument("bench: " + std::to_string(w) + " writers of " + std::to_string(s) +
                                       "-byte records exceed " + std::to_string(kMaxBytesInFlight) + " bytes in flight");
      }
    }
  }
  if (!(o.seconds > 0) || !std::isfinite(o.seconds)) {
    return Status::InvalidArgument("bench: seconds must be a positive number, not " + std::to_string(o.seconds));
  }
  const bool runs_file = std::find(o.kinds.begin(), o.kinds.end(), "file") != o.kinds.end();
  if (runs_file && o.policies.empty()) {
    return Status::InvalidArgument("bench: kind file needs at least one sync policy");
  }
  return Status::Ok();
}

// Every (kind, policy, writers, size) in the order given; options are valid.
std::vector<RowSpec> PlanRows(const BenchOptions& o) {
  std::vector<RowSpec> rows;
  for (const std::string& kind : o.kinds) {
    std::vector<std::string> policies;
    if (kind == "file") {
      for (const std::string& p : o.policies) policies.emplace_back(ToString(ParseSyncPolicy(p).value()));
    } else {
      policies.emplace_back(kind == "raw"                ? "fdatasync"
                            : kind == "lmdb"             ? "sync"
                            : kind.starts_with("jdbc-") ? "group-commit"
                                                         : "single-row");
    }
    for (const std::string& policy : policies) {
      for (int w : o.writers) {
        for (size_t s : o.sizes) rows.push_back({kind, policy, w, s});
      }
    }
  }
  return rows;
}

Result<std::unique_ptr<CommitTarget>> OpenTarget(const RowSpec& spec, const std::string& dir, const BenchOptions& o) {
  if (spec.kind == "file") {
    return OpenFileTarget(dir, ParseSyncPolicy(spec.policy).value(), ParseIoEngine(o.io_engine).value());
  }
  if (spec.kind == "raw") return OpenRawTarget(dir, spec.writers, spec.record_size);
  if (spec.kind == "lmdb") return OpenLmdbTarget(dir);
  const std::string connection = IsPostgresKind(spec.kind) ? o.postgres : "";  // "": SQLite in dir
  if (spec.kind.starts_with("jdbc-")) return OpenJdbcTarget(dir, connection, static_cast<uint32_t>(o.jdbc_workers));
  return OpenRowTarget(dir, connection, DatabaseOf(spec.kind));
}

Result<BenchRow> RunRow(const RowSpec& spec, const std::string& parent, const BenchOptions& o) {
  const std::string name = spec.kind + "-" + spec.policy + "-w" + std::to_string(spec.writers) + "-s" +
                           std::to_string(spec.record_size);
  Result<std::unique_ptr<ScratchDir>> dir = ScratchDir::Make(parent, name);
  if (!dir.ok()) return dir.status();
  HASTORE_RETURN_IF_ERROR(FlushFileSystem(parent));
  Result<std::unique_ptr<CommitTarget>> target = OpenTarget(spec, (*dir)->path(), o);
  if (!target.ok()) return Status(target.status().code(), name + ": " + target.status().message());

  Result<Measurement> m = MeasureCommits(**target, HarnessOptions{.writers = spec.writers,
                                                                  .record_size = spec.record_size,
                                                                  .warmup_seconds = kWarmupSeconds,
                                                                  .seconds = o.seconds});
  Status closed = (*target)->Close();
  if (!m.ok()) return Status(m.status().code(), name + ": " + m.status().message());
  if (!closed.ok()) return Status(closed.code(), name + ": " + closed.message());

  return BenchRow{.kind = spec.kind,
                  .policy = spec.policy,
                  .writers = spec.writers,
                  .record_size = spec.record_size,
                  .commits_per_s = m->commits_per_s,
                  .p50_us = m->latency.QuantileMicros(0.50),
                  .p99_us = m->latency.QuantileMicros(0.99),
                  .p999_us = m->latency.QuantileMicros(0.999),
                  .ratio_to_raw = 0};
}

void FillRatiosToReference(std::vector<BenchRow>& rows) {
  for (BenchRow& row : rows) {
    const std::string reference = ReferenceOf(row.kind);
    for (const BenchRow& ref : rows) {
      if (ref.kind == reference && ref.writers == row.writers && ref.record_size == row.record_size &&
          ref.commits_per_s > 0) {
        row.ratio_to_raw = row.commits_per_s / ref.commits_per_s;
      }
    }
  }
}

// Row i of the result is row i of the round with the median commits/s, with the median of the
// rounds' ratios (rounds hold the same plan, in the same order).
std::vector<BenchRow> MedianOfRounds(const std::vector<std::vector<BenchRow>>& rounds) {
  std::vector<BenchRow> out;
  for (size_t i = 0; i < rounds.front().size(); ++i) {
    std::vector<const BenchRow*> runs;
    std::vector<double> ratios;
    for (const auto& round : rounds) {
      runs.push_back(&round[i]);
      ratios.push_back(round[i].ratio_to_raw);
    }
    const size_t middle = runs.size() / 2;
    std::nth_element(runs.begin(), runs.begin() + static_cast<std::ptrdiff_t>(middle), runs.end(),
                     [](const BenchRow* a, const BenchRow* b) { return a->commits_per_s < b->commits_per_s; });
    std::nth_element(ratios.begin(), ratios.begin() + static_cast<std::ptrdiff_t>(middle), ratios.end());
    BenchRow row = *runs[middle];
    row.ratio_to_raw = ratios[middle];
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace

Result<std::vector<BenchRow>> RunBench(const BenchOptions& options, std::ostream& progress) {
  HASTORE_RETURN_IF_ERROR(ValidateOptions(options));

  Result<WorkDir> work = OpenWorkDir(options.dir, "hastore-bench");
  if (!work.ok()) return work.status();
  const std::string& parent = work->path;

  std::vector<std::vector<BenchRow>> rounds;
  for (int round = 1; round <= options.repeat; ++round) {
    std::vector<BenchRow> rows;
    for (const RowSpec& spec : PlanRows(options)) {
      progress << "start " << spec.kind << " " << spec.policy << " writers=" << spec.writers
               << " size=" << spec.record_size;
      if (options.repeat > 1) progress << " round=" << round << "/" << options.repeat;
      progress << std::endl;
      Result<BenchRow> row = RunRow(spec, parent, options);
      if (!row.ok()) return row.status();
      progress << FormatProgressLine(*row) << std::endl;
      rows.push_back(std::move(row).value());
    }
    FillRatiosToReference(rows);
    rounds.push_back(std::move(rows));
  }
  return MedianOfRounds(rounds);
}

}  // namespace hastore::bench
