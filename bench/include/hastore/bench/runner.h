// The throughput runner behind `hastore bench`: durable commits per second and commit latency
// percentiles for each (kind, sync policy, writers, record size), with two references measured
// in the same run on the same file system:
//   raw  — writer threads hand records to one committer that does one pwrite plus one
//          fdatasync per batch into a file whose blocks were written beforehand;
//   lmdb — LMDB with synchronous commits (one transaction per commit).
// The JDBC store kinds (jdbc-sqlite, jdbc-postgresql) have their own references on the same
// database: row-sqlite and row-postgresql, one single-row INSERT and COMMIT per commit on the
// writer's own ODBC connection.
#pragma once

#include <cstddef>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "hastore/storage/status.h"

namespace hastore::bench {

struct BenchOptions {
  std::vector<std::string> kinds{"file", "raw", "lmdb"};
  // Sync policies for kind "file" (DESIGN names: "Direct-Write", "Cache-Flush", ...).
  std::vector<std::string> policies{"Direct-Write", "Direct-Write-With-Cache", "Cache-Flush", "Disabled"};
  std::string io_engine = "auto";  // file.io_engine of kind "file": auto, io_uring or pwrite
  std::vector<int> writers{1, 4, 16, 64};
  std::vector<size_t> sizes{64, 1024, 16384};
  double seconds = 5.0;  // measured time per row
  // Rounds of the whole plan, one after another. Each row reports the round with its median
  // commits/s, and the median of its rounds' ratios: a ratio compares rows of the same round.
  int repeat = 1;
  std::string dir;       // where the stores and files go; "" = a new temporary directory, removed after
  // ODBC connection string of the PostgreSQL server for jdbc-postgresql and row-postgresql.
  std::string postgres;
  int jdbc_workers = 0;  // jdbc.worker_count of the jdbc kinds (0: auto)
};

struct BenchRow {
  std::string kind;    // "file", "raw", "lmdb", "jdbc-sqlite", "row-sqlite", ...
  // Sync policy for "file"; "fdatasync" for raw; "sync" for lmdb; "group-commit" for jdbc-*;
  // "single-row" for row-*.
  std::string policy;
  int writers = 0;
  size_t record_size = 0;
  double commits_per_s = 0;
  double p50_us = 0;
  double p99_us = 0;
  double p999_us = 0;
  // CPU time of the bench process over the measured window per commit (user + system, every
  // thread; in-process daemons included, a database server not).
  double cpu_us_per_commit = 0;
  // commits_per_s over the reference row's at the same writers and size (raw for file and
  // lmdb, row-<db> for jdbc-<db>); 0 if the run has none.
  double ratio_to_raw = 0;
};

// Runs every combination; progress lines go to `progress` as rows finish.
Result<std::vector<BenchRow>> RunBench(const BenchOptions& options, std::ostream& progress);

std::string FormatTable(const std::vector<BenchRow>& rows);
// A JSON array of objects with the keys kind, policy, writers, record_size, commits_per_s,
// p50_us, p99_us, p999_us, ratio_to_raw, cpu_us_per_commit.
std::string FormatJson(const std::vector<BenchRow>& rows);

}  // namespace hastore::bench
