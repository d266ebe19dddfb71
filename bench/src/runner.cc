// RunBench: plans the rows, runs each in a fresh scratch directory through the shared commit
// harness, and relates every row to the raw reference at the same writers and size.
#include "hastore/bench/runner.h"

#include <algorithm>
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

struct KindInfo;
using OpenTargetFn = Result<std::unique_ptr<CommitTarget>> (*)(const KindInfo& kind, const RowSpec& spec,
                                                              const std::string& dir, const BenchOptions& o);

// What the runner knows of one kind of row.
struct KindInfo {
  std::string_view name;
  std::string_view policy;     // of every row of the kind; "" for "file", whose rows take the sync policies given
  std::string_view database;   // "sqlite" or "postgresql" for jdbc-<db> and row-<db>; "" for the others
  std::string_view reference;  // what a row is compared with: raw, or row-<db> for jdbc-<db>
  OpenTargetFn open;

  bool on_postgres() const { return database == "postgresql"; }
  // Of the jdbc and row kinds: --postgres, or "" for SQLite in the row's directory.
  std::string Connection(const BenchOptions& o) const { return on_postgres() ? o.postgres : ""; }
};

Result<std::unique_ptr<CommitTarget>> OpenFileKind(const KindInfo&, const RowSpec& spec, const std::string& dir,
                                                   const BenchOptions& o) {
  return OpenFileTarget(dir, ParseSyncPolicy(spec.policy).value(), ParseIoEngine(o.io_engine).value());
}

Result<std::unique_ptr<CommitTarget>> OpenRawKind(const KindInfo&, const RowSpec& spec, const std::string& dir,
                                                  const BenchOptions&) {
  return OpenRawTarget(dir, spec.writers, spec.record_size);
}

Result<std::unique_ptr<CommitTarget>> OpenLmdbKind(const KindInfo&, const RowSpec&, const std::string& dir,
                                                   const BenchOptions&) {
  return OpenLmdbTarget(dir);
}

Result<std::unique_ptr<CommitTarget>> OpenJdbcKind(const KindInfo& kind, const RowSpec&, const std::string& dir,
                                                   const BenchOptions& o) {
  return OpenJdbcTarget(dir, kind.Connection(o), static_cast<uint32_t>(o.jdbc_workers));
}

Result<std::unique_ptr<CommitTarget>> OpenReplicatedKind(const KindInfo&, const RowSpec&, const std::string& dir,
                                                         const BenchOptions&) {
  return OpenReplicatedTarget(dir);
}

Result<std::unique_ptr<CommitTarget>> OpenRowKind(const KindInfo& kind, const RowSpec&, const std::string& dir,
                                                  const BenchOptions& o) {
  return OpenRowTarget(dir, kind.Connection(o), std::string(kind.database));
}

// In the order the error for an unknown kind lists them.
constexpr KindInfo kKinds[] = {
    {"file", "", "", "raw", OpenFileKind},
    {"raw", "fdatasync", "", "raw", OpenRawKind},
    {"lmdb", "sync", "", "raw", OpenLmdbKind},
    {"jdbc-sqlite", "group-commit", "sqlite", "row-sqlite", OpenJdbcKind},
    {"row-sqlite", "single-row", "sqlite", "raw", OpenRowKind},
    {"jdbc-postgresql", "group-commit", "postgresql", "row-postgresql", OpenJdbcKind},
    {"row-postgresql", "single-row", "postgresql", "raw", OpenRowKind},
    {"replicated", "two-memories", "", "raw", OpenReplicatedKind},
};

const KindInfo* FindKind(std::string_view name) {
  for (const KindInfo& kind : kKinds) {
    if (kind.name == name) return &kind;
  }
  return nullptr;
}

// The kind of a planned or measured row (options are valid).
const KindInfo& KindOf(std::string_view name) { return *FindKind(name); }

// "file, raw, ...": every kind, for the error that lists the valid ones.
std::string KindNames() {
  std::string out;
  for (const KindInfo& kind : kKinds) out += (out.empty() ? "" : ", ") + std::string(kind.name);
  return out;
}

Status ValidateOptions(const BenchOptions& o) {
  if (o.kinds.empty()) return Status::InvalidArgument("bench: no kinds to run");
  for (const std::string& kind : o.kinds) {
    const KindInfo* info = FindKind(kind);
    if (info == nullptr) return Status::InvalidArgument("bench: unknown kind '" + kind + "'; valid are " + KindNames());
    if (info->on_postgres() && o.postgres.empty()) {
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
    if (const std::string_view policy = KindOf(kind).policy; !policy.empty()) {
      policies.emplace_back(policy);
    } else {
      for (const std::string& p : o.policies) policies.emplace_back(ToString(ParseSyncPolicy(p).value()));
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
  const KindInfo& kind = KindOf(spec.kind);
  return kind.open(kind, spec, dir, o);
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
                  .cpu_us_per_commit = m->cpu_us_per_commit,
                  .ratio_to_raw = 0};
}

void FillRatiosToReference(std::vector<BenchRow>& rows) {
  for (BenchRow& row : rows) {
    const std::string_view reference = KindOf(row.kind).reference;
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
  if (std::find(options.kinds.begin(), options.kinds.end(), "jdbc-postgresql") != options.kinds.end()) {
    HASTORE_RETURN_IF_ERROR(RequireSynchronousCommit(options.postgres));
  }

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
