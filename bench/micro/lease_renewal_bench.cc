// Lease renewal of 1,000 instances held by one server (issue 4's target: under 5% of one core
// at the default Health Check Interval of 10 s). Each iteration is one heartbeat: RenewAll of
// every lease the server holds. The counter core_pct is the CPU this process spends per
// heartbeat, as a share of one core over one interval.
//
//   build/bench/lease_bench                     # local (LMDB) and database on embedded SQLite
//   HASTORE_BENCH_POSTGRES='Driver=...' build/bench/lease_bench   # and PostgreSQL
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "hastore/ha/database_lease_authority.h"
#include "hastore/ha/local_lease_authority.h"
#include "hastore/storage/config.h"
#include "host_measure.h"
#include "scratch_dir.h"

namespace {

using hastore::bench::ScratchDir;
using hastore::ha::LeaseAuthority;
using hastore::ha::LeaseHolder;

constexpr int kInstances = 1000;
constexpr double kIntervalSeconds = 10.0;  // Health Check Interval default

void Renew(benchmark::State& state, LeaseAuthority& authority) {
  const LeaseHolder holder{"ms1", "bench/" + std::to_string(::getpid())};
  for (int i = 0; i < kInstances; ++i) {
    auto lease = authority.Acquire("instance.q@ms" + std::to_string(i), holder, 600000, 0);
    if (!lease.ok()) return state.SkipWithError(lease.status().ToString().c_str());
  }
  const double cpu_before = hastore::bench::ProcessCpuSeconds();
  for (auto _ : state) {
    auto renewed = authority.RenewAll(holder, 600000);
    if (!renewed.ok() || renewed->size() != static_cast<size_t>(kInstances))
      return state.SkipWithError(renewed.ok() ? "not every lease was renewed" : renewed.status().ToString().c_str());
  }
  const double cpu_per_heartbeat = (hastore::bench::ProcessCpuSeconds() - cpu_before) / static_cast<double>(state.iterations());
  state.counters["cpu_ms"] = cpu_per_heartbeat * 1000;
  state.counters["core_pct"] = 100 * cpu_per_heartbeat / kIntervalSeconds;
}

// Removed with everything in it when it goes out of scope, after the authority using it.
hastore::Result<std::unique_ptr<ScratchDir>> MakeScratchDir() {
  return ScratchDir::Make(ScratchDir::TempRoot(), "hastore-lease-bench");
}

void BM_RenewLocal(benchmark::State& state) {
  auto dir = MakeScratchDir();
  if (!dir.ok()) return state.SkipWithError(dir.status().ToString().c_str());
  auto authority = hastore::ha::OpenLocalLeaseAuthority((*dir)->path() + "/leases");
  if (!authority.ok()) return state.SkipWithError(authority.status().ToString().c_str());
  Renew(state, **authority);
}

void RenewDatabase(benchmark::State& state, const std::string& connection) {
  hastore::ha::DatabaseLeaseSettings settings;
  settings.connection = connection;
  settings.table = "LEASE_BENCH_" + std::to_string(::getpid());
  settings.cluster = "bench";
  settings.create_table = true;
  auto authority = hastore::ha::OpenDatabaseLeaseAuthority(settings);
  if (!authority.ok()) return state.SkipWithError(authority.status().ToString().c_str());
  Renew(state, **authority);
}

void BM_RenewSqlite(benchmark::State& state) {
  auto dir = MakeScratchDir();
  if (!dir.ok()) return state.SkipWithError(dir.status().ToString().c_str());
  RenewDatabase(state, hastore::EmbeddedSqliteConnection((*dir)->path() + "/leases.db"));
}

void BM_RenewPostgres(benchmark::State& state) {
  const char* connection = std::getenv("HASTORE_BENCH_POSTGRES");
  if (connection == nullptr) return state.SkipWithError("set HASTORE_BENCH_POSTGRES to an ODBC connection string");
  RenewDatabase(state, connection);
}

BENCHMARK(BM_RenewLocal)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_RenewSqlite)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_RenewPostgres)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
