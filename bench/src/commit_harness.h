// The thread and timing harness shared by every kind of row: `writers` threads each loop
// { fill a record of record_size bytes; target.Commit(record); time it } through a warm-up
// that is not measured, then for `seconds` of measured time.
#pragma once

#include <cstddef>

#include "commit_target.h"
#include "latency_histogram.h"

namespace hastore::bench {

struct Measurement {
  double commits_per_s = 0;
  // CPU time (user + system) of this whole process over the measured window, per commit: the
  // writers, the store's threads and anything else in the process (the replicated kind's
  // daemons), but not other processes (a PostgreSQL server).
  double cpu_us_per_commit = 0;
  LatencyHistogram latency;  // of every measured commit, all writers merged
};

struct HarnessOptions {
  int writers = 1;
  size_t record_size = 0;
  double warmup_seconds = 0.3;
  double seconds = 5.0;
};

// Runs the writers against target and returns what was measured, or the first commit error
// (which stops every writer). Does not close target.
Result<Measurement> MeasureCommits(CommitTarget& target, const HarnessOptions& options);

}  // namespace hastore::bench
