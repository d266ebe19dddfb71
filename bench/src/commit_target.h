// What the runner measures: something that makes one record durable per call. One
// implementation per kind of row (store_target.cc, jdbc_target.cc, raw_target.cc,
// lmdb_target.cc); the thread and timing harness (commit_harness.h) is shared by all of them.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "hastore/storage/config.h"
#include "hastore/storage/status.h"
#include "hastore/storage/store.h"

namespace hastore::bench {

class CommitTarget {
 public:
  virtual ~CommitTarget() = default;
  // Returns once `record` is durable, or with the error that prevented it. Called by every
  // writer thread at once.
  virtual Status Commit(std::string_view record) = 0;
  // Called once, after every writer has returned: stops background threads, releases files.
  virtual Status Close() = 0;
};

// An open hastore store (or the error of opening it): one transaction with one Create per
// commit, in connection "bench". `after_close` runs once the store is closed.
Result<std::unique_ptr<CommitTarget>> MakeStoreTarget(Result<std::unique_ptr<Store>> store,
                                                      std::function<Status()> after_close = {});

// A file store (hastore::OpenFileStore) in dir.
Result<std::unique_ptr<CommitTarget>> OpenFileTarget(const std::string& dir, SyncPolicy policy, IoEngineChoice engine);

// The reference: one committer thread, one pwrite plus one fdatasync per batch, into a file in
// dir whose blocks were written before the run. `max_record` bounds one writer's record.
Result<std::unique_ptr<CommitTarget>> OpenRawTarget(const std::string& dir, int writers, size_t max_record);

// An LMDB environment in dir with synchronous commits: one write transaction per commit.
Result<std::unique_ptr<CommitTarget>> OpenLmdbTarget(const std::string& dir);

// A JDBC store (hastore::OpenJdbcStore) on `connection_string`, or on embedded SQLite in dir
// when it is empty, with `workers` database connections; a table of its own, dropped at Close.
Result<std::unique_ptr<CommitTarget>> OpenJdbcTarget(const std::string& dir, const std::string& connection_string,
                                                     uint32_t workers);
// Refuses a PostgreSQL server that runs with synchronous_commit = off: the JDBC store's commits
// there would not be durable. Asked once per run, before the first row.
Status RequireSynchronousCommit(const std::string& connection_string);

// The single-row reference on the same database: per commit, one INSERT and one COMMIT on the
// writer's own ODBC connection. `database` ("sqlite", "postgresql") picks the DDL; on
// PostgreSQL each connection sets synchronous_commit = on.
Result<std::unique_ptr<CommitTarget>> OpenRowTarget(const std::string& dir, const std::string& connection_string,
                                                    const std::string& database);

// The replicated store on two in-process daemons on loopback (replicated_target.cc).
Result<std::unique_ptr<CommitTarget>> OpenReplicatedTarget(const std::string& dir);

}  // namespace hastore::bench
