#include "held_instances.h"

#include <cstdio>

#include "hastore/storage/io.h"
#include "hastore/storage/names.h"

namespace hastore::replicated {

int HeldInstance::live_claims() const {
  int n = 0;
  for (const auto& [session, connections] : live_sessions) n += connections;
  return n;
}

std::string HeldInstance::OtherLiveSession(const std::string& session) const {
  for (const auto& [live, connections] : live_sessions) {
    if (live != session) return live;
  }
  return "";
}

void HeldInstance::DropLive(const std::string& session) {
  auto it = live_sessions.find(session);
  if (it != live_sessions.end() && --it->second == 0) live_sessions.erase(it);
}

namespace {
// Files other than regions (the fence, say) are small; they get a small mapping.
constexpr uint64_t kSmallFileCapacity = 1u << 20;
}  // namespace

Status ValidateFileName(std::string_view name) {
  if (name.empty() || name.size() > 255 || name == "." || name == ".." || name.find('/') != std::string_view::npos ||
      name.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument("'" + std::string(name) + "' is not a file name a region can have");
  }
  return Status::Ok();
}

Result<std::unique_ptr<HeldInstances>> HeldInstances::Open(const std::string& directory, uint64_t region_size) {
  Result<std::unique_ptr<Catalogue>> catalogue = Catalogue::Open(directory + "/catalogue");
  if (!catalogue.ok()) return catalogue.status();
  std::unique_ptr<HeldInstances> held(new HeldInstances(directory, region_size, std::move(*catalogue)));
  HASTORE_RETURN_IF_ERROR(held->Load());
  return held;
}

uint64_t HeldInstances::CapacityOf(const std::string& name) const {
  return name.ends_with(".RGN") ? region_size_ : kSmallFileCapacity;
}

Status HeldInstances::Load() {
  FileSystem* fs = FileSystem::Default();
  HASTORE_RETURN_IF_ERROR(CreateDirsDurably(*fs, directory_ + "/regions"));
  Result<std::map<std::string, InstanceEntry>> entries = catalogue_->LoadAll();
  if (!entries.ok()) return entries.status();
  Result<std::vector<std::string>> dirs = fs->List(directory_ + "/regions");
  if (!dirs.ok()) return dirs.status();
  for (const std::string& name : *dirs) {
    if (!ValidateInstanceName(name).ok()) continue;
    std::shared_ptr<HeldInstance> h = NewInstance(name);
    auto it = entries->find(name);
    if (it != entries->end()) h->entry = it->second;
    Result<std::vector<std::string>> files = fs->List(h->dir);
    if (!files.ok()) return files.status();
    for (const std::string& f : *files) {
      if (!ValidateFileName(f).ok() || f.ends_with(".tmp")) continue;
      Result<std::unique_ptr<MappedRegionFile>> m = MappedRegionFile::Open(h->dir + "/" + f, CapacityOf(f), false);
      if (!m.ok()) return m.status();
      used_ += (*m)->size();
      h->files[f] = std::move(*m);
    }
    instances_[name] = h;
  }
  for (const auto& [name, entry] : *entries) {  // claimed, no file written yet
    if (instances_.count(name) != 0) continue;
    std::shared_ptr<HeldInstance> h = NewInstance(name);
    h->entry = entry;
    instances_[name] = h;
  }
  return Status::Ok();
}

std::shared_ptr<HeldInstance> HeldInstances::NewInstance(const std::string& instance) const {
  auto h = std::make_shared<HeldInstance>();
  h->name = instance;
  h->dir = directory_ + "/regions/" + instance;
  return h;
}

std::shared_ptr<HeldInstance> HeldInstances::Find(const std::string& instance) {
  std::lock_guard lock(mu_);
  auto it = instances_.find(instance);
  return it == instances_.end() ? nullptr : it->second;
}

Result<std::shared_ptr<HeldInstance>> HeldInstances::FindOrAdd(const std::string& instance) {
  HASTORE_RETURN_IF_ERROR(ValidateInstanceName(instance));
  std::lock_guard lock(mu_);
  std::shared_ptr<HeldInstance>& slot = instances_[instance];
  if (!slot) slot = NewInstance(instance);
  return slot;
}

std::vector<std::shared_ptr<HeldInstance>> HeldInstances::All() {
  std::lock_guard lock(mu_);
  std::vector<std::shared_ptr<HeldInstance>> out;
  for (const auto& [name, h] : instances_) out.push_back(h);
  return out;
}

Result<MappedRegionFile*> HeldInstances::File(HeldInstance& h, const std::string& name, bool create) {
  auto it = h.files.find(name);
  if (it != h.files.end()) return it->second.get();
  if (!create) return Status::NotFound("instance " + h.name + " has no file " + name);
  HASTORE_RETURN_IF_ERROR(ValidateFileName(name));
  HASTORE_RETURN_IF_ERROR(CreateDirsDurably(*FileSystem::Default(), h.dir));
  Result<std::unique_ptr<MappedRegionFile>> m = MappedRegionFile::Open(h.dir + "/" + name, CapacityOf(name), true);
  if (!m.ok()) return m.status();
  used_ += (*m)->size();
  MappedRegionFile* out = m->get();
  h.files[name] = std::move(*m);
  return out;
}

Status HeldInstances::Write(HeldInstance& h, const std::string& name, uint64_t offset, std::string_view bytes) {
  Result<MappedRegionFile*> f = File(h, name, false);
  if (!f.ok()) return f.status();
  const uint64_t before = (*f)->size();
  HASTORE_RETURN_IF_ERROR((*f)->Write(offset, bytes.data(), bytes.size()));
  used_ += (*f)->size() - before;
  return Status::Ok();
}

Status HeldInstances::Truncate(HeldInstance& h, const std::string& name, uint64_t size) {
  Result<MappedRegionFile*> f = File(h, name, false);
  if (!f.ok()) return f.status();
  const uint64_t before = (*f)->size();
  (*f)->Truncate(size);
  used_ += (*f)->size();
  used_ -= before;
  return Status::Ok();
}

Status HeldInstances::Remove(HeldInstance& h, const std::string& name) {
  auto it = h.files.find(name);
  if (it == h.files.end()) return Status::Ok();  // a retried remove
  used_ -= it->second->size();
  const std::string path = it->second->path();
  h.files.erase(it);
  return FileSystem::Default()->Remove(path);
}

Status HeldInstances::Rename(HeldInstance& h, const std::string& from, const std::string& to) {
  HASTORE_RETURN_IF_ERROR(ValidateFileName(to));
  auto it = h.files.find(from);
  if (it == h.files.end()) {
    if (h.files.count(to) != 0) return Status::Ok();  // a retried rename
    return Status::NotFound("instance " + h.name + " has no file " + from);
  }
  if (from == to) return Status::Ok();  // as rename(2): removing `to` first would drop the file itself (fuzz_wire_request)
  if (CapacityOf(from) != CapacityOf(to)) return Status::NotSupported("renaming " + from + " to " + to + " changes its kind");
  HASTORE_RETURN_IF_ERROR(Remove(h, to));
  const std::string from_path = it->second->path();
  it->second.reset();  // unmapped before the rename
  h.files.erase(it);
  HASTORE_RETURN_IF_ERROR(FileSystem::Default()->Rename(from_path, h.dir + "/" + to));
  Result<std::unique_ptr<MappedRegionFile>> m = MappedRegionFile::Open(h.dir + "/" + to, CapacityOf(to), false);
  if (!m.ok()) return m.status();
  h.files[to] = std::move(*m);
  return Status::Ok();
}

Status HeldInstances::SaveEntry(HeldInstance& h) { return catalogue_->Put(h.name, h.entry); }

Status HeldInstances::RemoveAll(HeldInstance& h) {
  std::vector<std::string> names;  // Remove changes h.files
  for (const auto& [name, m] : h.files) names.push_back(name);
  for (const std::string& name : names) HASTORE_RETURN_IF_ERROR(Remove(h, name));
  return Status::Ok();
}

Status HeldInstances::Replace(HeldInstance& h, const std::map<std::string, std::string_view>& files) {
  HASTORE_RETURN_IF_ERROR(RemoveAll(h));
  for (const auto& [name, bytes] : files) {
    Result<MappedRegionFile*> f = File(h, name, true);
    if (!f.ok()) return f.status();
    HASTORE_RETURN_IF_ERROR(Write(h, name, 0, bytes));
  }
  return Status::Ok();
}

Status HeldInstances::Drop(HeldInstance& h) {
  HASTORE_RETURN_IF_ERROR(RemoveAll(h));
  (void)std::remove(h.dir.c_str());
  HASTORE_RETURN_IF_ERROR(catalogue_->Erase(h.name));
  h.entry = InstanceEntry{};
  std::lock_guard lock(mu_);
  instances_.erase(h.name);
  return Status::Ok();
}

}  // namespace hastore::replicated
