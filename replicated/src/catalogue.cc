#include "catalogue.h"

#include "hastore/storage/io.h"
#include "wire.h"

namespace hastore::replicated {

namespace {

MDB_val Val(std::string_view s) { return MDB_val{s.size(), const_cast<char*>(s.data())}; }

std::string Encode(const InstanceEntry& e) {
  MessageWriter w;  // the same little-endian fields as the wire
  w.U64(e.epoch).Str(e.session).U8(e.partner_stale ? 1 : 0);
  return w.body();
}

Result<InstanceEntry> Decode(std::string_view key, std::string_view value) {
  MessageReader r(value);
  InstanceEntry e;
  Result<uint64_t> epoch = r.U64();
  Result<std::string_view> session = r.Str();
  Result<uint8_t> stale = r.U8();
  if (!epoch.ok() || !session.ok() || !stale.ok())
    return Status::Corruption("catalogue entry of instance " + std::string(key) + " is damaged");
  e.epoch = *epoch;
  e.session = std::string(*session);
  e.partner_stale = *stale != 0;
  return e;
}

}  // namespace

Status Catalogue::Check(int rc, const std::string& doing) const {
  if (rc == 0) return Status::Ok();
  return Status::IOError("catalogue " + path_ + ": " + doing + ": " + mdb_strerror(rc));
}

Result<std::unique_ptr<Catalogue>> Catalogue::Open(const std::string& directory) {
  HASTORE_RETURN_IF_ERROR(CreateDirsDurably(*FileSystem::Default(), directory));
  MDB_env* env = nullptr;
  int rc = mdb_env_create(&env);
  if (rc == 0) rc = mdb_env_set_mapsize(env, size_t{256} << 20);
  if (rc == 0) rc = mdb_env_open(env, directory.c_str(), MDB_NOTLS, 0644);
  MDB_txn* txn = nullptr;
  MDB_dbi dbi = 0;
  if (rc == 0) rc = mdb_txn_begin(env, nullptr, 0, &txn);
  if (rc == 0) rc = mdb_dbi_open(txn, nullptr, 0, &dbi);
  if (rc == 0) {
    rc = mdb_txn_commit(txn);
    txn = nullptr;
  }
  if (txn != nullptr) mdb_txn_abort(txn);
  if (rc != 0) {
    if (env != nullptr) mdb_env_close(env);
    return Status::IOError("catalogue " + directory + ": opening: " + mdb_strerror(rc));
  }
  return std::unique_ptr<Catalogue>(new Catalogue(directory, env, dbi));
}

Catalogue::~Catalogue() { mdb_env_close(env_); }

Result<std::map<std::string, InstanceEntry>> Catalogue::LoadAll() const {
  std::map<std::string, InstanceEntry> out;
  MDB_txn* txn = nullptr;
  HASTORE_RETURN_IF_ERROR(Check(mdb_txn_begin(env_, nullptr, MDB_RDONLY, &txn), "reading"));
  MDB_cursor* cursor = nullptr;
  int rc = mdb_cursor_open(txn, dbi_, &cursor);
  MDB_val k, v;
  Status bad;
  for (rc = rc == 0 ? mdb_cursor_get(cursor, &k, &v, MDB_FIRST) : rc; rc == 0; rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT)) {
    const std::string key(static_cast<const char*>(k.mv_data), k.mv_size);
    Result<InstanceEntry> e = Decode(key, {static_cast<const char*>(v.mv_data), v.mv_size});
    if (!e.ok()) {
      bad = e.status();
      break;
    }
    out[key] = *e;
  }
  if (cursor != nullptr) mdb_cursor_close(cursor);
  mdb_txn_abort(txn);
  if (!bad.ok()) return bad;
  if (rc != MDB_NOTFOUND) return Check(rc, "scanning");
  return out;
}

Status Catalogue::Put(const std::string& instance, const InstanceEntry& entry) {
  MDB_txn* txn = nullptr;
  HASTORE_RETURN_IF_ERROR(Check(mdb_txn_begin(env_, nullptr, 0, &txn), "writing " + instance));
  const std::string value = Encode(entry);
  MDB_val k = Val(instance), v = Val(value);
  int rc = mdb_put(txn, dbi_, &k, &v, 0);
  if (rc != 0) {
    mdb_txn_abort(txn);
    return Check(rc, "writing " + instance);
  }
  return Check(mdb_txn_commit(txn), "committing " + instance);
}

Status Catalogue::Erase(const std::string& instance) {
  MDB_txn* txn = nullptr;
  HASTORE_RETURN_IF_ERROR(Check(mdb_txn_begin(env_, nullptr, 0, &txn), "erasing " + instance));
  MDB_val k = Val(instance);
  int rc = mdb_del(txn, dbi_, &k, nullptr);
  if (rc != 0 && rc != MDB_NOTFOUND) {
    mdb_txn_abort(txn);
    return Check(rc, "erasing " + instance);
  }
  return Check(mdb_txn_commit(txn), "committing the removal of " + instance);
}

}  // namespace hastore::replicated
