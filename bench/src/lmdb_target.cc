// Kind "lmdb": LMDB with its default, synchronous commits, as a second reference. Every
// commit is one write transaction putting one record under a fresh 64-bit key; LMDB lets one
// write transaction run at a time, so concurrent writers queue on its lock.
#include <lmdb.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "commit_target.h"

namespace hastore::bench {

namespace {

// Address space only (the file grows as pages are used): room for a long run of large records
// on a fast device without MDB_MAP_FULL.
constexpr size_t kMapBytes = size_t{32} << 30;

Status LmdbError(const std::string& what, int rc) { return Status::IOError(what + ": " + mdb_strerror(rc)); }

struct EnvCloser {
  void operator()(MDB_env* env) const { mdb_env_close(env); }
};
using EnvPtr = std::unique_ptr<MDB_env, EnvCloser>;

class LmdbTarget final : public CommitTarget {
 public:
  LmdbTarget(EnvPtr env, MDB_dbi dbi) : env_(std::move(env)), dbi_(dbi) {}

  Status Commit(std::string_view record) override {
    MDB_txn* txn = nullptr;
    if (int rc = mdb_txn_begin(env_.get(), nullptr, 0, &txn); rc != 0) return LmdbError("mdb_txn_begin", rc);
    uint64_t key = next_key_.fetch_add(1, std::memory_order_relaxed);
    MDB_val k{sizeof key, &key};
    MDB_val v{record.size(), const_cast<char*>(record.data())};
    if (int rc = mdb_put(txn, dbi_, &k, &v, 0); rc != 0) {
      mdb_txn_abort(txn);
      return LmdbError("mdb_put", rc);
    }
    if (int rc = mdb_txn_commit(txn); rc != 0) return LmdbError("mdb_txn_commit", rc);
    return Status::Ok();
  }

  Status Close() override {
    env_.reset();
    return Status::Ok();
  }

 private:
  EnvPtr env_;
  MDB_dbi dbi_;
  std::atomic<uint64_t> next_key_{0};
};

}  // namespace

Result<std::unique_ptr<CommitTarget>> OpenLmdbTarget(const std::string& dir) {
  MDB_env* raw = nullptr;
  if (int rc = mdb_env_create(&raw); rc != 0) return LmdbError("mdb_env_create", rc);
  EnvPtr env(raw);
  if (int rc = mdb_env_set_mapsize(env.get(), kMapBytes); rc != 0) return LmdbError("mdb_env_set_mapsize", rc);
  if (int rc = mdb_env_open(env.get(), dir.c_str(), 0, 0644); rc != 0) return LmdbError("mdb_env_open " + dir, rc);

  MDB_txn* txn = nullptr;
  MDB_dbi dbi = 0;
  if (int rc = mdb_txn_begin(env.get(), nullptr, 0, &txn); rc != 0) return LmdbError("mdb_txn_begin", rc);
  if (int rc = mdb_dbi_open(txn, nullptr, 0, &dbi); rc != 0) {
    mdb_txn_abort(txn);
    return LmdbError("mdb_dbi_open", rc);
  }
  if (int rc = mdb_txn_commit(txn); rc != 0) return LmdbError("mdb_txn_commit", rc);
  return std::unique_ptr<CommitTarget>(std::make_unique<LmdbTarget>(std::move(env), dbi));
}

}  // namespace hastore::bench
