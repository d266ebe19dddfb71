#include "region_file_system.h"

#include <algorithm>
#include <atomic>
#include <cstring>

namespace hastore::replicated {

namespace {

constexpr size_t kReadChunk = 4u << 20;

class RegionFile final : public File {
 public:
  // `created`: false for a file opened with create before the instance was claimed (the
  // fence, read before the owner's epoch is known): the daemons create it with its first write.
  RegionFile(std::shared_ptr<DaemonClient> client, std::string name, std::string path, bool created)
      : client_(std::move(client)), name_(std::move(name)), path_(std::move(path)), created_(created) {}

  Status Write(uint64_t offset, const void* data, size_t n) override {
    HASTORE_RETURN_IF_ERROR(CreateNow());
    const char* p = static_cast<const char*>(data);
    const size_t chunk = static_cast<size_t>(client_->max_message());
    for (size_t done = 0; done < n;) {
      const size_t len = std::min(chunk, n - done);
      MessageWriter w = client_->Change(Op::kWrite);
      w.Str(name_).U64(offset + done).Str({p + done, len});
      Result<Reply> reply = client_->Call(w);
      if (!reply.ok()) return Annotate(reply.status(), "writing");
      done += len;
    }
    return Status::Ok();
  }

  Status Read(uint64_t offset, void* buf, size_t n, size_t* got) const override {
    char* out = static_cast<char*>(buf);
    *got = 0;
    if (!created_) return Status::Ok();
    while (*got < n) {
      const size_t want = std::min(kReadChunk, n - *got);
      MessageWriter w(Op::kRead, 0);
      w.Str(client_->instance()).Str(name_).U64(offset + *got).U32(static_cast<uint32_t>(want));
      Result<Reply> reply = client_->Call(w);
      if (!reply.ok()) return Annotate(reply.status(), "reading");
      Result<std::string_view> bytes = reply->payload().Str();
      if (!bytes.ok()) return bytes.status();
      std::memcpy(out + *got, bytes->data(), bytes->size());
      *got += bytes->size();
      if (bytes->size() < want) break;  // the end of the file
    }
    return Status::Ok();
  }

  Status Sync() override { return Status::Ok(); }  // every write is in both daemons already

  Status Truncate(uint64_t size) override {
    HASTORE_RETURN_IF_ERROR(CreateNow());
    MessageWriter w = client_->Change(Op::kTruncate);
    w.Str(name_).U64(size);
    Result<Reply> reply = client_->Call(w);
    return reply.ok() ? Status::Ok() : Annotate(reply.status(), "truncating");
  }

  Result<uint64_t> Size() const override {
    if (!created_) return uint64_t{0};
    MessageWriter w(Op::kSize, 0);
    w.Str(client_->instance()).Str(name_);
    Result<Reply> reply = client_->Call(w);
    if (!reply.ok()) return reply.status();
    return reply->payload().U64();
  }

  const std::string& path() const override { return path_; }

  // Has the daemons create the file, unless they have it.
  Status CreateNow() {
    if (created_) return Status::Ok();
    MessageWriter w = client_->Change(Op::kCreate);
    w.Str(name_);
    Result<Reply> reply = client_->Call(w);
    if (!reply.ok()) return Annotate(reply.status(), "creating");
    created_ = true;
    return Status::Ok();
  }

 private:
  Status Annotate(const Status& s, const char* doing) const {
    if (s.code() == StatusCode::kFenced || s.code() == StatusCode::kTooLarge) return s;
    return Status(s.code(), std::string(doing) + " region " + name_ + " of " + client_->instance() + " on " +
                                client_->Describe() + ": " + s.message());
  }

  std::shared_ptr<DaemonClient> client_;
  const std::string name_;
  const std::string path_;
  std::atomic<bool> created_;
};

// The store's lock is its claim on the daemons (exclusive for a single-server open, so the
// daemons refuse a second one): nothing to take here, and given up, waiting for the daemons to
// see it, when the store lets go of its lock (as it closes).
class ClaimLock final : public FileLock {
 public:
  explicit ClaimLock(std::shared_ptr<DaemonClient> client) : client_(std::move(client)) {}
  ~ClaimLock() override { client_->Release(); }

 private:
  std::shared_ptr<DaemonClient> client_;
};

}  // namespace

RegionFileSystem::RegionFileSystem(std::shared_ptr<DaemonClient> client, std::string directory)
    : client_(std::move(client)), directory_(std::move(directory)) {}

std::string RegionFileSystem::ToRegionName(const std::string& name) {
  if (name.ends_with(".DAT")) return name.substr(0, name.size() - 4) + ".RGN";
  return name;
}

std::string RegionFileSystem::FromRegionName(const std::string& name) {
  if (name.ends_with(".RGN")) return name.substr(0, name.size() - 4) + ".DAT";
  return name;
}

Result<std::string> RegionFileSystem::NameOf(const std::string& path) const {
  const std::string prefix = directory_ + "/";
  if (!path.starts_with(prefix) || path.find('/', prefix.size()) != std::string::npos) {
    return Status::InvalidArgument("'" + path + "' is not a file of replicated instance " + client_->instance());
  }
  return ToRegionName(path.substr(prefix.size()));
}

Result<std::unique_ptr<File>> RegionFileSystem::Open(const std::string& path, const OpenOptions& options) {
  Result<std::string> name = NameOf(path);
  if (!name.ok()) return name.status();
  const bool exists = Exists(path);
  if (!options.create || options.read_only) {
    if (!exists) return Status::NotFound("replicated instance " + client_->instance() + " has no file " + *name);
  } else if (options.exclusive && exists) {
    return Status::InvalidArgument("replicated instance " + client_->instance() + " has a file " + *name + " already");
  }
  auto file = std::make_unique<RegionFile>(client_, *name, path, exists);
  // Before the instance is claimed (epoch 0) a new file waits for its first write.
  if (client_->epoch() != 0) HASTORE_RETURN_IF_ERROR(file->CreateNow());
  return std::unique_ptr<File>(std::move(file));
}

Result<std::vector<std::string>> RegionFileSystem::List(const std::string& dir) {
  if (dir != directory_) return std::vector<std::string>{};
  MessageWriter w(Op::kList, 0);
  w.Str(client_->instance());
  Result<Reply> reply = client_->Call(w);
  if (!reply.ok()) return reply.status();
  MessageReader r = reply->payload();
  Result<uint32_t> n = r.U32();
  if (!n.ok()) return n.status();
  std::vector<std::string> names;
  for (uint32_t i = 0; i < *n; ++i) {
    Result<std::string_view> name = r.Str();
    if (!name.ok()) return name.status();
    names.push_back(FromRegionName(std::string(*name)));
  }
  return names;
}

Status RegionFileSystem::Rename(const std::string& from, const std::string& to) {
  Result<std::string> a = NameOf(from), b = NameOf(to);
  if (!a.ok()) return a.status();
  if (!b.ok()) return b.status();
  MessageWriter w = client_->Change(Op::kRename);
  w.Str(*a).Str(*b);
  return client_->Call(w).status();
}

Status RegionFileSystem::Remove(const std::string& path) {
  Result<std::string> name = NameOf(path);
  if (!name.ok()) return name.status();
  MessageWriter w = client_->Change(Op::kRemove);
  w.Str(*name);
  return client_->Call(w).status();
}

bool RegionFileSystem::Exists(const std::string& path) {
  Result<std::string> name = NameOf(path);
  if (!name.ok()) return false;
  MessageWriter w(Op::kSize, 0);
  w.Str(client_->instance()).Str(*name);
  return client_->Call(w).ok();
}

Result<std::unique_ptr<FileLock>> RegionFileSystem::Lock(const std::string&, const std::string&) {
  return std::unique_ptr<FileLock>(new ClaimLock(client_));
}

}  // namespace hastore::replicated
