// A daemon's catalogue (DESIGN §7): for each instance it holds, the epoch and session that
// claimed it last, and whether its partner daemon missed writes (it then holds the only copy of
// them and must push the instance to the partner before the partner may serve it). An LMDB
// environment in the daemon's directory; every change is synced before it is acted on, so a
// daemon that restarts refuses the same lower epochs it refused before.
//
// Thread safety: any thread.
#pragma once

#include <lmdb.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "hastore/storage/status.h"

namespace hastore::replicated {

struct InstanceEntry {
  uint64_t epoch = 0;      // the highest epoch claimed; lower ones are refused
  std::string session;     // who claimed it
  bool partner_stale = false;  // the partner missed writes this daemon took alone
};

class Catalogue {
 public:
  static Result<std::unique_ptr<Catalogue>> Open(const std::string& directory);
  ~Catalogue();

  Result<std::map<std::string, InstanceEntry>> LoadAll() const;
  Status Put(const std::string& instance, const InstanceEntry& entry);
  Status Erase(const std::string& instance);

 private:
  Catalogue(std::string path, MDB_env* env, MDB_dbi dbi) : path_(std::move(path)), env_(env), dbi_(dbi) {}
  Status Check(int rc, const std::string& doing) const;

  std::string path_;
  MDB_env* env_;
  MDB_dbi dbi_;
};

}  // namespace hastore::replicated
