// The bench runners, run small. They check the runners measure what they say (rows, keys,
// record counts, bounded disk), never how fast anything is.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "common/postgres.h"
#include "common/temp_dir.h"
#include "hastore/bench/churn.h"
#include "hastore/bench/reopen.h"
#include "hastore/bench/runner.h"
#include "hastore/jdbcstore/odbc.h"

namespace hastore::bench {
namespace {

using nlohmann::json;
using testing::TempDir;

TEST(ThroughputRunner, OneRowPerCombinationWithRatiosToRaw) {
  TempDir dir;
  BenchOptions o;
  o.kinds = {"file", "raw", "lmdb"};
  o.policies = {"Direct-Write", "Disabled"};
  o.writers = {1, 3};
  o.sizes = {64};
  o.seconds = 0.05;
  o.dir = dir.path();
  std::ostringstream progress;
  auto rows = RunBench(o, progress);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 8u);  // file x 2 policies x 2 writer counts, raw x 2, lmdb x 2
  for (const BenchRow& r : *rows) {
    EXPECT_GT(r.commits_per_s, 0) << r.kind << " " << r.policy;
    EXPECT_LE(r.p50_us, r.p99_us);
    EXPECT_LE(r.p99_us, r.p999_us);
    EXPECT_GT(r.ratio_to_raw, 0);
    EXPECT_GT(r.cpu_us_per_commit, 0) << r.kind << " " << r.policy;  // every commit costs the writer some CPU
    if (r.kind == "raw") {
      EXPECT_DOUBLE_EQ(r.ratio_to_raw, 1.0);
    }
  }
  EXPECT_NE(progress.str().find("done lmdb sync writers=3 size=64"), std::string::npos) << progress.str();
  const json parsed = json::parse(FormatJson(*rows));
  ASSERT_EQ(parsed.size(), 8u);
  for (const char* key : {"kind", "policy", "writers", "record_size", "commits_per_s", "p50_us", "p99_us", "p999_us",
                          "ratio_to_raw", "cpu_us_per_commit"}) {
    EXPECT_TRUE(parsed[0].contains(key)) << key;
  }
}

// The JDBC kinds on both databases, each compared with its own single-row reference of the
// same writers and size (not with raw); their tables are dropped afterwards.
TEST(ThroughputRunner, JdbcKindsAreComparedWithTheirSingleRowReference) {
  TempDir dir;
  BenchOptions o;
  o.kinds = {"jdbc-sqlite", "row-sqlite", "jdbc-postgresql", "row-postgresql"};
  o.writers = {1, 4};
  o.sizes = {64};
  o.seconds = 0.05;
  o.dir = dir.path();
  o.postgres = testing::PostgresConnectionString();
  std::ostringstream progress;
  auto rows = RunBench(o, progress);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 8u);
  auto find = [&](const std::string& kind, int writers) -> const BenchRow* {
    for (const BenchRow& r : *rows) {
      if (r.kind == kind && r.writers == writers) return &r;
    }
    return nullptr;
  };
  for (const std::string database : {"sqlite", "postgresql"}) {
    for (const int writers : o.writers) {
      SCOPED_TRACE(database + " writers=" + std::to_string(writers));
      const BenchRow* store = find("jdbc-" + database, writers);
      const BenchRow* reference = find("row-" + database, writers);
      ASSERT_TRUE(store && reference);
      EXPECT_EQ(store->policy, "group-commit");
      EXPECT_EQ(reference->policy, "single-row");
      EXPECT_GT(store->commits_per_s, 0);
      ASSERT_GT(reference->commits_per_s, 0);
      EXPECT_DOUBLE_EQ(store->ratio_to_raw, store->commits_per_s / reference->commits_per_s);
      EXPECT_EQ(reference->ratio_to_raw, 0) << "no raw row in this run to compare the reference with";
    }
  }
  const json parsed = json::parse(FormatJson(*rows));
  for (const json& row : parsed) {
    for (const char* key : {"kind", "policy", "writers", "record_size", "commits_per_s", "p50_us", "p99_us", "p999_us",
                            "ratio_to_raw", "cpu_us_per_commit"}) {
      EXPECT_TRUE(row.contains(key)) << row.dump() << " has no " << key;
    }
  }
  // Every row's table is gone from the server.
  auto db = jdbcstore::OdbcConnection::Connect(o.postgres);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  auto left = (*db)->Prepare("SELECT count(*) FROM pg_tables WHERE tablename ILIKE 'bench" + std::to_string(::getpid()) +
                             "\\_%'");
  ASSERT_TRUE(left.ok()) << left.status().ToString();
  auto count = (*left)->ExecuteScalar();
  ASSERT_TRUE(count.ok()) << count.status().ToString();
  EXPECT_EQ(count->value_or(-1), 0) << "bench tables were left on the server";
}

// A PostgreSQL session whose commits are not durable is no basis for a figure.
TEST(ThroughputRunner, APostgresqlServerWithoutSynchronousCommitIsRefused) {
  TempDir dir;
  BenchOptions o;
  o.kinds = {"jdbc-postgresql"};
  o.writers = {1};
  o.sizes = {64};
  o.seconds = 0.05;
  o.dir = dir.path();
  o.postgres = testing::PostgresConnectionString() + ";ConnSettings={SET synchronous_commit = off}";
  auto rows = RunBench(o, std::cerr);
  ASSERT_FALSE(rows.ok());
  EXPECT_NE(rows.status().message().find("synchronous_commit = off"), std::string::npos) << rows.status().ToString();
}

// The commits/s of every "done <kind> ..." progress line, in order.
std::vector<double> DoneRates(const std::string& progress, const std::string& kind) {
  std::vector<double> rates;
  std::istringstream lines(progress);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("done " + kind + " ", 0) != 0) continue;
    rates.push_back(std::stod(line.substr(line.find(": ") + 2)));
  }
  return rates;
}

TEST(ThroughputRunner, RepeatedRoundsReportTheMedianRound) {
  TempDir dir;
  BenchOptions o;
  o.kinds = {"file", "raw"};
  o.policies = {"Disabled"};
  o.writers = {1};
  o.sizes = {64};
  o.seconds = 0.05;
  o.repeat = 3;
  o.dir = dir.path();
  std::ostringstream progress;
  auto rows = RunBench(o, progress);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_NE(progress.str().find("round=3/3"), std::string::npos) << progress.str();
  std::vector<double> rates = DoneRates(progress.str(), "file");
  ASSERT_EQ(rates.size(), 3u) << progress.str();
  std::sort(rates.begin(), rates.end());
  const BenchRow& file = rows->front().kind == "file" ? rows->front() : rows->back();
  EXPECT_NEAR(file.commits_per_s, rates[1], 1.0) << "the median round";
  EXPECT_GT(file.ratio_to_raw, 0);
  o.repeat = 0;
  EXPECT_EQ(RunBench(o, std::cerr).status().code(), StatusCode::kInvalidArgument);
}

TEST(ThroughputRunner, BadOptionsAreRefusedBeforeAnythingRuns) {
  BenchOptions o;
  o.kinds = {"file", "tape"};
  EXPECT_EQ(RunBench(o, std::cerr).status().code(), StatusCode::kInvalidArgument);
  o.kinds = {"file"};
  o.policies = {"Sometimes"};
  EXPECT_EQ(RunBench(o, std::cerr).status().code(), StatusCode::kInvalidArgument);
  o.policies = {"Direct-Write"};
  o.writers = {0};
  EXPECT_EQ(RunBench(o, std::cerr).status().code(), StatusCode::kInvalidArgument);
}

TEST(ReopenRunner, ReopensEveryLoadedRecordAndReportsMemory) {
  TempDir dir;
  ReopenOptions o;
  o.live_bytes = 4u << 20;
  o.record_size = 1000;
  o.dir = dir.path();
  std::ostringstream progress;
  auto r = RunReopenBench(o, progress);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->records, (4u << 20) / 1000);
  EXPECT_GT(r->file_bytes, o.live_bytes);
  EXPECT_GT(r->read_seconds, 0);
  EXPECT_GT(r->reopen_seconds, 0);
  EXPECT_DOUBLE_EQ(r->ratio_to_read, r->reopen_seconds / r->read_seconds);
  EXPECT_GT(r->resident_open, r->resident_before);
  EXPECT_GE(r->resident_peak, r->resident_open);
  EXPECT_EQ(r->memory_budget, 64 * r->records + (64u << 20));
  const json parsed = json::parse(FormatReopenReport(*r, true));
  EXPECT_EQ(parsed["records"], r->records);
  EXPECT_TRUE(parsed.contains("bytes_per_record"));
}

// Disk use stays bounded while the live set is replaced many times over: 256 MiB of creates
// over 2 MiB live. Commits wait for compaction once the log passes the live data plus three
// times the 32 MiB slack (98 MiB); a head segment still filling (16 MiB) and the zeros written
// ahead of it (8 MiB) come on top, about 122 MiB at worst, under the 128 MiB checked and far
// below the 256 MiB an uncompacted log would reach.
TEST(ChurnRunner, DiskUseStaysBoundedWhileTheLiveSetIsReplaced) {
  for (bool random : {true, false}) {
    TempDir dir;
    ChurnOptions o;
    o.live_bytes = 2u << 20;
    o.traffic_bytes = 256u << 20;
    o.record_size = 1024;
    o.writers = 4;
    o.random = random;
    o.policy = "Disabled";
    o.dir = dir.path();
    std::ostringstream progress;
    auto r = RunChurnBench(o, progress);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->live_records, 2048u) << "random " << random;
    EXPECT_GE(r->created_bytes, o.traffic_bytes - 4 * 8 * 1024);
    EXPECT_GT(r->segments_compacted, 0u);
    EXPECT_GE(r->max_file_bytes, o.live_bytes) << "the sampler saw the files that hold the live set";
    EXPECT_LT(r->max_file_bytes, 128u << 20) << "random " << random;
    EXPECT_GE(r->final_file_bytes, o.live_bytes) << "the live set is still on disk";
  }
}

TEST(ChurnRunner, BadOptionsAreRefused) {
  ChurnOptions o;
  o.record_size = 0;
  EXPECT_EQ(RunChurnBench(o, std::cerr).status().code(), StatusCode::kInvalidArgument);
  o.record_size = 1024;
  o.live_bytes = 1024;
  o.writers = 4;  // fewer records than writers
  EXPECT_EQ(RunChurnBench(o, std::cerr).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace hastore::bench
