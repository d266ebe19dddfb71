// RunReopenBench: load in a child process, then measure a cold sequential read and a cold open
// in this one (see hastore/bench/reopen.h for why).
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <algorithm>
#include <string>

#include "bench_store.h"
#include "hastore/bench/reopen.h"
#include "host_measure.h"
#include "scratch_dir.h"

namespace hastore::bench {

namespace {

constexpr int kLoadWriters = 4;
constexpr uint64_t kBudgetPerRecord = 64;
constexpr uint64_t kBudgetFixed = uint64_t{64} << 20;

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The child's side: fill a new store in dir and close it.
Status LoadStore(const std::string& dir, uint64_t records, size_t record_size) {
  Result<std::unique_ptr<Store>> store = OpenBenchStore(dir, SyncPolicy::kDirectWrite);
  if (!store.ok()) return store.status();
  Result<Connection> connection = (*store)->OpenConnection("bench");
  if (!connection.ok()) return connection.status();
  Result<std::vector<Handle>> loaded =
      LoadLiveSet(**store, *connection, records, record_size, kLoadWriters);
  if (!loaded.ok()) return loaded.status();
  return (*store)->Close();
}

// Loads the store in a child process; returns its load time. The child reports "OK" or the
// error message through a pipe.
Result<double> LoadInChild(const std::string& dir, uint64_t records, size_t record_size) {
  int fds[2];
  if (::pipe(fds) != 0) return Status::FromErrno("pipe", errno);
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid < 0) return Status::FromErrno("fork", errno);
  if (pid == 0) {
    ::close(fds[0]);
    const Status s = LoadStore(dir, records, record_size);
    const std::string msg = s.ok() ? "OK" : s.ToString();
    (void)!::write(fds[1], msg.data(), msg.size());
    ::_exit(s.ok() ? 0 : 1);
  }
  ::close(fds[1]);
  std::string msg;
  char buf[512];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    msg.append(buf, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  int wstatus = 0;
  while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0 || msg != "OK") {
    return Status::Failed("loading the store in " + dir + " failed: " + (msg.empty() ? "child died" : msg));
  }
  return SecondsSince(start);
}

// Seconds to read dir's files from start to end after evicting them from the page cache.
Result<double> TimeColdRead(const std::string& dir) {
  HASTORE_RETURN_IF_ERROR(EvictFromPageCache(dir));
  const auto start = std::chrono::steady_clock::now();
  HASTORE_RETURN_IF_ERROR(ReadFilesSequentially(dir));
  return SecondsSince(start);
}

Status Measure(const std::string& dir, uint64_t records, size_t record_size, std::ostream& progress,
               ReopenReport* r) {
  progress << "loading " << records << " records of " << record_size << " bytes in a child process" << std::endl;
  Result<double> load = LoadInChild(dir, records, record_size);
  if (!load.ok()) return load.status();
  r->records = records;
  r->load_seconds = *load;
  r->file_bytes = MeasureDir(dir).apparent;

  progress << "reading " << r->file_bytes << " bytes of store files sequentially, cold" << std::endl;
  Result<double> read = TimeColdRead(dir);
  if (!read.ok()) return read.status();
  progress << "reopening, cold" << std::endl;
  HASTORE_RETURN_IF_ERROR(EvictFromPageCache(dir));
  Result<ResidentMemory> before = ReadResidentMemory();
  if (!before.ok()) return before.status();
  const auto start = std::chrono::steady_clock::now();
  Result<std::unique_ptr<Store>> store = OpenBenchStore(dir, SyncPolicy::kDirectWrite);
  if (!store.ok()) return store.status();
  r->reopen_seconds = SecondsSince(start);
  Result<ResidentMemory> open = ReadResidentMemory();
  if (!open.ok()) return open.status();
  const uint64_t found = (*store)->Stats().records;
  HASTORE_RETURN_IF_ERROR((*store)->Close());
  // Read again after the open: a virtual disk's host may cache what the guest evicted, which
  // favours whatever reads second. The faster read is the reference (the stricter ratio).
  progress << "reading the store files again, cold" << std::endl;
  Result<double> reread = TimeColdRead(dir);
  if (!reread.ok()) return reread.status();
  r->read_seconds = std::min(*read, *reread);
  if (found != records) {
    return Status::Failed("the reopened store has " + std::to_string(found) + " records, not " + std::to_string(records));
  }
  r->resident_before = before->current;
  r->resident_open = open->current;
  r->resident_peak = open->peak;
  r->ratio_to_read = r->read_seconds > 0 ? r->reopen_seconds / r->read_seconds : 0;
  r->bytes_per_record = records > 0 ? static_cast<double>(open->current - std::min(open->current, before->current)) / records : 0;
  r->memory_budget = kBudgetPerRecord * records + kBudgetFixed;
  return Status::Ok();
}

}  // namespace

Result<ReopenReport> RunReopenBench(const ReopenOptions& options, std::ostream& progress) {
  HASTORE_RETURN_IF_ERROR(CheckRecordSize("bench reopen", options.record_size));
  const uint64_t records = options.live_bytes / options.record_size;
  if (records == 0) return Status::InvalidArgument("bench reopen: live bytes below one record");
  Result<WorkDir> work = OpenWorkDir(options.dir, "hastore-bench");
  if (!work.ok()) return work.status();
  Result<std::unique_ptr<ScratchDir>> dir = ScratchDir::Make(work->path, "reopen");
  if (!dir.ok()) return dir.status();
  ReopenReport report;
  HASTORE_RETURN_IF_ERROR(Measure((*dir)->path(), records, options.record_size, progress, &report));
  return report;
}

}  // namespace hastore::bench
