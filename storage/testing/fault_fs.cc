// The in-memory fault-injecting file system (see fault_fs.h).
//
// Model. A file is a node holding two contents: `durable` (as of its last successful
// File::Sync) and `current` (what reads see), plus the ordered writes and truncates between
// them. A directory maps names to nodes twice in the same way: `durable` (as of its last
// SyncDir) and `current`, plus the ordered entry operations between them. A directory that
// CreateDirs made is itself an entry of its parent: durable only once its parent was synced
// (SyncDir of the parent), as mkdir(2) is. Open File objects point at nodes, not names, so they
// keep working across Rename and Remove as POSIX descriptors do.
//
// A simulated power loss rebuilds both levels from `durable` plus a prefix of the unsynced
// operations (none in kDropUnsynced), removes every directory whose own entry was not durable
// (with all it held: its files and directories are unreachable), and bumps a generation
// number, which kills every File and FileLock made before it.
#include "hastore/storage/fault_fs.h"

#include <algorithm>
#include <cstring>
#include <random>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

namespace hastore {
namespace {

// The tests that use this file system write megabytes; a bigger offset is a bug in the caller
// and is refused rather than exhausting memory.
constexpr uint64_t kMaxFileSize = uint64_t{1} << 30;
constexpr uint32_t kBlockSize = 512;

// Collapses runs of '/' and strips a trailing '/' (except for the root itself), so that
// "db//x/" and "db/x" name the same file.
std::string Normalize(const std::string& path) {
  std::string out;
  out.reserve(path.size());
  for (char c : path) {
    if (c == '/' && !out.empty() && out.back() == '/') continue;
    out.push_back(c);
  }
  if (out.size() > 1 && out.back() == '/') out.pop_back();
  if (out == ".") out.clear();  // the working directory
  return out;
}

// The directory holding a normalised path: "" (the working directory) for a bare name, "/"
// for a top-level absolute one.
std::string Parent(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return "";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string BaseName(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string DeadHandleMessage(const std::string& what) {
  return what + ": file system was reset by a simulated crash";
}

// Writes bytes at offset, filling any gap past the end with zeros, as pwrite does.
void ApplyWrite(std::string& content, uint64_t offset, std::string_view bytes) {
  if (bytes.empty()) return;  // a zero-length pwrite does not extend the file
  const size_t end = static_cast<size_t>(offset) + bytes.size();
  if (content.size() < end) content.resize(end, '\0');
  content.replace(static_cast<size_t>(offset), bytes.size(), bytes);
}

}  // namespace

struct FaultFileSystem::State {
  // One write or truncate that File::Sync has not made durable yet.
  struct FileOp {
    bool truncate = false;  // true: resize to `offset`; false: write `bytes` at `offset`
    uint64_t offset = 0;
    std::string bytes;
  };

  struct Node {
    std::string durable;
    std::string current;               // durable + all of unsynced, in order
    std::vector<FileOp> unsynced;
  };

  using Entries = std::map<std::string, std::shared_ptr<Node>>;  // name -> node

  // One create, remove or rename in a directory that SyncDir has not made durable yet.
  struct EntryOp {
    std::string name;
    std::shared_ptr<Node> node;  // what `name` now refers to; null when it was removed
    std::string renamed_from;    // a rename within the directory: this name goes away in the
                                 // same step, because rename(2) is atomic
  };

  struct Dir {
    Entries durable;
    Entries current;  // durable + all of unsynced, in order
    std::vector<EntryOp> unsynced;
    // False from CreateDirs until SyncDir of the parent: a power loss then takes this
    // directory away, with everything under it.
    bool entry_durable = true;
  };

  std::mutex mu;  // guards everything below, including every Node
  std::map<std::string, Dir> dirs;           // every directory that exists, by normalised path
  std::map<std::string, std::string> locks;  // normalised path -> holder
  uint64_t generation = 0;  // bumped by SimulateCrash; older files and locks are dead
  uint64_t io_count = 0;
  uint64_t sync_count = 0;
  uint64_t crash_at = 0;      // 0: no crash point
  uint64_t fail_sync_at = 0;  // 0: no failing sync
  bool crashed = false;

  State() {
    dirs[""];   // the working directory, for relative paths
    dirs["/"];  // the root, for absolute ones
  }

  static void Apply(std::string& content, const FileOp& op) {
    if (op.truncate) {
      content.resize(static_cast<size_t>(op.offset), '\0');
    } else {
      ApplyWrite(content, op.offset, op.bytes);
    }
  }

  static void Apply(Entries& entries, const EntryOp& op) {
    if (!op.renamed_from.empty()) entries.erase(op.renamed_from);
    if (op.node) {
      entries[op.name] = op.node;
    } else {
      entries.erase(op.name);
    }
  }

  Status CrashError(const std::string& what) const {
    return Status::IOError(what + ": simulated crash (crash point at I/O " + std::to_string(crash_at) +
                           "); nothing was done");
  }

  // Numbers one I/O and decides whether the simulated process is still alive to do it.
  Status BeginIo(const std::string& what) {
    ++io_count;
    if (crash_at != 0 && io_count >= crash_at) crashed = true;
    return crashed ? CrashError(what) : Status::Ok();
  }

  // Operations that are not counted as I/Os but change the state (create, rename, remove,
  // mkdir, lock) are refused once the process "died": a torn crash could otherwise keep an
  // entry the dead process never made.
  Status CheckAlive(const std::string& what) const { return crashed ? CrashError(what) : Status::Ok(); }

  Dir* FindDir(const std::string& path) {
    auto it = dirs.find(path);
    return it == dirs.end() ? nullptr : &it->second;
  }

  std::shared_ptr<Node> FindFile(const std::string& path) {
    Dir* dir = FindDir(Parent(path));
    if (dir == nullptr) return nullptr;
    auto it = dir->current.find(BaseName(path));
    return it == dir->current.end() ? nullptr : it->second;
  }

  static void Log(Dir& dir, EntryOp op) {
    Apply(dir.current, op);
    dir.unsynced.push_back(std::move(op));
  }

  // Rebuilds a directory as a power loss leaves it: durable plus the first k unsynced entry
  // operations, k chosen by the mode.
  static void RecoverDir(Dir& dir, CrashMode mode, std::mt19937_64& rng) {
    size_t keep = 0;
    if (mode == CrashMode::kTearUnsynced) {
      keep = std::uniform_int_distribution<size_t>(0, dir.unsynced.size())(rng);
    }
    Entries entries = dir.durable;
    for (size_t i = 0; i < keep; ++i) Apply(entries, dir.unsynced[i]);
    dir.durable = entries;
    dir.current = std::move(entries);
    dir.unsynced.clear();
  }

  // Rebuilds a file as a power loss leaves it: durable plus the first k unsynced operations,
  // the last of them, when a write, cut after a random number of its bytes.
  static void RecoverFile(Node& node, CrashMode mode, std::mt19937_64& rng) {
    std::string content = node.durable;
    if (mode == CrashMode::kTearUnsynced) {
      const size_t keep = std::uniform_int_distribution<size_t>(0, node.unsynced.size())(rng);
      for (size_t i = 0; i + 1 < keep; ++i) Apply(content, node.unsynced[i]);
      if (keep > 0) ApplyTorn(content, node.unsynced[keep - 1], rng);
    }
    node.durable = content;
    node.current = std::move(content);
    node.unsynced.clear();
  }

  static void ApplyTorn(std::string& content, const FileOp& op, std::mt19937_64& rng) {
    if (op.truncate) {
      Apply(content, op);  // a resize is not torn: it either happened or it did not
      return;
    }
    const size_t len = std::uniform_int_distribution<size_t>(0, op.bytes.size())(rng);
    ApplyWrite(content, op.offset, std::string_view(op.bytes).substr(0, len));
  }

  // Drops the directories whose entry a power loss did not keep (in kTearUnsynced each
  // unsynced one survives or not by a coin toss), and everything under a dropped one.
  void RecoverDirEntries(CrashMode mode, std::mt19937_64& rng) {
    std::set<std::string> lost;
    for (auto& [path, dir] : dirs) {  // parents before children: the map is ordered by path
      const bool parent_lost = lost.count(Parent(path)) != 0;
      bool keep = dir.entry_durable;
      if (!keep && mode == CrashMode::kTearUnsynced) keep = std::uniform_int_distribution<int>(0, 1)(rng) == 1;
      if (parent_lost || !keep) lost.insert(path);
      dir.entry_durable = true;
    }
    for (const std::string& path : lost) dirs.erase(path);
  }

  void Recover(CrashMode mode, uint64_t seed) {
    std::mt19937_64 rng(seed);
    RecoverDirEntries(mode, rng);
    for (auto& [path, dir] : dirs) RecoverDir(dir, mode, rng);
    // Files after directories: only the nodes that some durable entry still names survive.
    // Iterating the ordered maps keeps the random draws repeatable for a seed.
    std::set<const Node*> done;
    for (auto& [path, dir] : dirs) {
      for (auto& [name, node] : dir.current) {
        if (done.insert(node.get()).second) RecoverFile(*node, mode, rng);
      }
    }
    locks.clear();
    ++generation;
    crash_at = 0;
    fail_sync_at = 0;
    crashed = false;
  }
};

namespace {

using State = FaultFileSystem::State;

class FaultFile final : public File {
 public:
  FaultFile(std::shared_ptr<State> state, std::shared_ptr<State::Node> node, std::string path, bool read_only)
      : state_(std::move(state)),
        node_(std::move(node)),
        path_(std::move(path)),
        read_only_(read_only),
        generation_(state_->generation) {}

  Status Write(uint64_t offset, const void* data, size_t n) override {
    std::lock_guard<std::mutex> lock(state_->mu);
    const std::string what = "write " + std::to_string(n) + " bytes to " + path_ + " at offset " + std::to_string(offset);
    HASTORE_RETURN_IF_ERROR(CheckWritable(what));
    if (offset > kMaxFileSize || n > kMaxFileSize - offset) return TooBig(what);
    HASTORE_RETURN_IF_ERROR(state_->BeginIo(what));
    State::FileOp op{false, offset, std::string(static_cast<const char*>(data), n)};
    State::Apply(node_->current, op);
    node_->unsynced.push_back(std::move(op));
    return Status::Ok();
  }

  Status Read(uint64_t offset, void* buf, size_t n, size_t* got) const override {
    std::lock_guard<std::mutex> lock(state_->mu);
    *got = 0;
    HASTORE_RETURN_IF_ERROR(CheckLive("read " + path_ + " at offset " + std::to_string(offset)));
    const std::string& content = node_->current;
    if (offset >= content.size()) return Status::Ok();
    *got = std::min(n, content.size() - static_cast<size_t>(offset));
    std::memcpy(buf, content.data() + offset, *got);
    return Status::Ok();
  }

  Status Sync() override {
    std::lock_guard<std::mutex> lock(state_->mu);
    const std::string what = "sync " + path_;
    HASTORE_RETURN_IF_ERROR(CheckLive(what));
    HASTORE_RETURN_IF_ERROR(state_->BeginIo(what));
    const uint64_t number = ++state_->sync_count;
    if (number == state_->fail_sync_at) {
      // Like a failed fdatasync: the caller cannot know what reached the disk, so the
      // operations stay unsynced and a later crash may keep or drop them.
      return Status::IOError(what + ": simulated sync failure (sync " + std::to_string(number) +
                             "); unsynced data may or may not be durable");
    }
    node_->durable = node_->current;
    node_->unsynced.clear();
    return Status::Ok();
  }

  Status Truncate(uint64_t size) override {
    std::lock_guard<std::mutex> lock(state_->mu);
    const std::string what = "truncate " + path_ + " to " + std::to_string(size);
    HASTORE_RETURN_IF_ERROR(CheckWritable(what));
    if (size > kMaxFileSize) return TooBig(what);
    HASTORE_RETURN_IF_ERROR(state_->BeginIo(what));
    State::FileOp op{true, size, {}};
    State::Apply(node_->current, op);
    node_->unsynced.push_back(std::move(op));
    return Status::Ok();
  }

  Result<uint64_t> Size() const override {
    std::lock_guard<std::mutex> lock(state_->mu);
    HASTORE_RETURN_IF_ERROR(CheckLive("size of " + path_));
    return static_cast<uint64_t>(node_->current.size());
  }

  const std::string& path() const override { return path_; }

 private:
  Status CheckLive(const std::string& what) const {
    return generation_ == state_->generation ? Status::Ok() : Status::IOError(DeadHandleMessage(what));
  }

  Status CheckWritable(const std::string& what) const {
    HASTORE_RETURN_IF_ERROR(CheckLive(what));
    return read_only_ ? Status::IOError(what + ": the file is open read-only") : Status::Ok();
  }

  static Status TooBig(const std::string& what) {
    return Status::IOError(what + ": beyond the " + std::to_string(kMaxFileSize) +
                           "-byte limit of the in-memory file system");
  }

  const std::shared_ptr<State> state_;
  const std::shared_ptr<State::Node> node_;
  const std::string path_;
  const bool read_only_;
  const uint64_t generation_;
};

class FaultLock final : public FileLock {
 public:
  FaultLock(std::shared_ptr<State> state, std::string path)
      : state_(std::move(state)), path_(std::move(path)), generation_(state_->generation) {}

  // A lock from before a simulated crash was already released by it; the path may be locked
  // again by now, by someone else.
  ~FaultLock() override {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (generation_ == state_->generation) state_->locks.erase(path_);
  }

 private:
  const std::shared_ptr<State> state_;
  const std::string path_;
  const uint64_t generation_;
};

}  // namespace

FaultFileSystem::FaultFileSystem() : state_(std::make_shared<State>()) {}
FaultFileSystem::~FaultFileSystem() = default;

void FaultFileSystem::CrashAtIo(uint64_t n) {
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->crash_at = n;
}

void FaultFileSystem::FailSyncAt(uint64_t n) {
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->fail_sync_at = n;
}

uint64_t FaultFileSystem::io_count() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->io_count;
}

uint64_t FaultFileSystem::sync_count() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->sync_count;
}

bool FaultFileSystem::crashed() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->crashed;
}

void FaultFileSystem::SimulateCrash(CrashMode mode, uint64_t seed) {
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->Recover(mode, seed);
}

Result<std::string> FaultFileSystem::Contents(const std::string& path) const {
  const std::string p = Normalize(path);
  std::lock_guard<std::mutex> lock(state_->mu);
  std::shared_ptr<State::Node> node = state_->FindFile(p);
  if (!node) return Status::NotFound("no file " + p);
  return node->current;
}

Status FaultFileSystem::FlipBit(const std::string& path, uint64_t offset, int bit) {
  const std::string p = Normalize(path);
  std::lock_guard<std::mutex> lock(state_->mu);
  std::shared_ptr<State::Node> node = state_->FindFile(p);
  if (!node) return Status::NotFound("no file " + p);
  if (bit < 0 || bit > 7) return Status::InvalidArgument("bit " + std::to_string(bit) + " is not in 0..7");
  if (offset >= node->current.size()) {
    return Status::InvalidArgument("offset " + std::to_string(offset) + " is past the end of " + p + " (" +
                                   std::to_string(node->current.size()) + " bytes)");
  }
  const char mask = static_cast<char>(1 << bit);
  node->current[offset] ^= mask;
  // Durable content may be shorter when the end of the file is not synced yet.
  if (offset < node->durable.size()) node->durable[offset] ^= mask;
  return Status::Ok();
}

Result<std::unique_ptr<File>> FaultFileSystem::Open(const std::string& path, const OpenOptions& options) {
  const std::string p = Normalize(path);
  std::lock_guard<std::mutex> lock(state_->mu);
  if (state_->dirs.count(p) != 0) return Status::IOError("open " + p + ": is a directory");
  State::Dir* dir = state_->FindDir(Parent(p));
  if (dir == nullptr) return Status::NotFound("no directory " + Parent(p) + " for " + p);
  const std::string name = BaseName(p);
  std::shared_ptr<State::Node> node;
  auto it = dir->current.find(name);
  if (it != dir->current.end()) {
    if (options.create && options.exclusive) return Status::IOError("create " + p + ": file exists");
    node = it->second;
  } else {
    if (!options.create) return Status::NotFound("no file " + p);
    HASTORE_RETURN_IF_ERROR(state_->CheckAlive("create " + p));
    node = std::make_shared<State::Node>();
    State::Log(*dir, {name, node, {}});
  }
  // options.direct is accepted and ignored: memory has no alignment rules.
  return std::unique_ptr<File>(new FaultFile(state_, std::move(node), p, options.read_only));
}

Status FaultFileSystem::SyncDir(const std::string& dir) {
  const std::string p = Normalize(dir);
  std::lock_guard<std::mutex> lock(state_->mu);
  State::Dir* d = state_->FindDir(p);
  if (d == nullptr) return Status::NotFound("no directory " + p);
  HASTORE_RETURN_IF_ERROR(state_->BeginIo("sync directory " + p));
  d->durable = d->current;
  d->unsynced.clear();
  for (auto& [path, child] : state_->dirs) {
    if (path != p && Parent(path) == p) child.entry_durable = true;
  }
  return Status::Ok();
}

Result<std::vector<std::string>> FaultFileSystem::List(const std::string& dir) {
  const std::string p = Normalize(dir);
  std::lock_guard<std::mutex> lock(state_->mu);
  const State::Dir* d = state_->FindDir(p);
  if (d == nullptr) return Status::NotFound("no directory " + p);
  std::vector<std::string> names;
  for (const auto& [name, node] : d->current) names.push_back(name);
  for (const auto& [path, unused] : state_->dirs) {
    if (path != p && Parent(path) == p) names.push_back(BaseName(path));
  }
  std::sort(names.begin(), names.end());
  return names;
}

Status FaultFileSystem::Rename(const std::string& from, const std::string& to) {
  const std::string src = Normalize(from);
  const std::string dst = Normalize(to);
  const std::string what = "rename " + src + " to " + dst;
  std::lock_guard<std::mutex> lock(state_->mu);
  if (state_->dirs.count(src) != 0) return Status::NotSupported(what + ": renaming directories is not simulated");
  std::shared_ptr<State::Node> node = state_->FindFile(src);
  if (!node) return Status::NotFound(what + ": no file " + src);
  State::Dir* dst_dir = state_->FindDir(Parent(dst));
  if (dst_dir == nullptr) return Status::NotFound(what + ": no directory " + Parent(dst));
  if (state_->dirs.count(dst) != 0) return Status::IOError(what + ": " + dst + " is a directory");
  HASTORE_RETURN_IF_ERROR(state_->CheckAlive(what));
  if (src == dst) return Status::Ok();
  State::Dir* src_dir = state_->FindDir(Parent(src));
  if (src_dir == dst_dir) {
    State::Log(*dst_dir, {BaseName(dst), node, BaseName(src)});
  } else {
    // Across directories each side becomes durable with its own SyncDir, so a crash may
    // keep either, both or neither.
    State::Log(*dst_dir, {BaseName(dst), node, {}});
    State::Log(*src_dir, {BaseName(src), nullptr, {}});
  }
  return Status::Ok();
}

Status FaultFileSystem::Remove(const std::string& path) {
  const std::string p = Normalize(path);
  std::lock_guard<std::mutex> lock(state_->mu);
  if (state_->dirs.count(p) != 0) return Status::NotSupported("remove " + p + ": removing directories is not simulated");
  if (!state_->FindFile(p)) return Status::NotFound("remove " + p + ": no such file");
  HASTORE_RETURN_IF_ERROR(state_->CheckAlive("remove " + p));
  State::Log(*state_->FindDir(Parent(p)), {BaseName(p), nullptr, {}});
  return Status::Ok();
}

Status FaultFileSystem::AddExistingDirs(const std::string& dir) {
  HASTORE_RETURN_IF_ERROR(CreateDirs(dir));
  std::lock_guard<std::mutex> lock(state_->mu);
  for (std::string p = Normalize(dir); !p.empty() && p != "/"; p = Parent(p)) state_->dirs[p].entry_durable = true;
  return Status::Ok();
}

Status FaultFileSystem::CreateDirs(const std::string& dir) {
  const std::string p = Normalize(dir);
  std::lock_guard<std::mutex> lock(state_->mu);
  HASTORE_RETURN_IF_ERROR(state_->CheckAlive("create directory " + p));
  // Each prefix ending before a '/' (but not the root's own '/'), then the whole path.
  for (size_t end = p.find('/', 1); ; end = p.find('/', end + 1)) {
    const std::string prefix = p.substr(0, end);
    if (state_->FindFile(prefix)) {
      return Status::IOError("create directory " + prefix + ": a file has that name");
    }
    if (state_->dirs.count(prefix) == 0) state_->dirs[prefix].entry_durable = false;
    if (end == std::string::npos) break;
  }
  return Status::Ok();
}

bool FaultFileSystem::Exists(const std::string& path) {
  const std::string p = Normalize(path);
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->dirs.count(p) != 0 || state_->FindFile(p) != nullptr;
}

Result<std::unique_ptr<FileLock>> FaultFileSystem::Lock(const std::string& path, const std::string& holder) {
  const std::string p = Normalize(path);
  std::lock_guard<std::mutex> lock(state_->mu);
  auto held = state_->locks.find(p);
  if (held != state_->locks.end()) return Status::Locked("lock " + p + " is held by " + held->second);
  HASTORE_RETURN_IF_ERROR(state_->CheckAlive("lock " + p));
  if (state_->dirs.count(p) != 0) return Status::IOError("lock " + p + ": is a directory");
  State::Dir* dir = state_->FindDir(Parent(p));
  if (dir == nullptr) return Status::NotFound("lock " + p + ": no directory " + Parent(p));
  std::shared_ptr<State::Node> node = state_->FindFile(p);
  if (!node) {
    // Like open(O_CREAT): the new entry is durable only after SyncDir.
    node = std::make_shared<State::Node>();
    State::Log(*dir, {BaseName(p), node, {}});
  }
  // The holder line is not an I/O and is durable at once, so crash tests that enumerate
  // I/Os need not account for it; it is only ever read back for error messages.
  node->durable = node->current = holder + "\n";
  node->unsynced.clear();
  state_->locks[p] = holder;
  return std::unique_ptr<FileLock>(new FaultLock(state_, p));
}

Result<uint32_t> FaultFileSystem::BlockSize(const std::string& dir) {
  const std::string p = Normalize(dir);
  std::lock_guard<std::mutex> lock(state_->mu);
  if (state_->FindDir(p) == nullptr) return Status::NotFound("block size: no directory " + p);
  return kBlockSize;
}

}  // namespace hastore
