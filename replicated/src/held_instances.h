// What a daemon holds: for each instance, its files (regions and small files such as the
// fence, each a MappedRegionFile under <directory>/regions/<instance>/) and its catalogue
// entry. Each instance has a mutex that serialises everything done to it, forwarding included,
// so its partner sees its writes in the order they were applied.
//
// Thread safety: any thread; an instance's contents only under its mutex.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "catalogue.h"
#include "mapped_region_file.h"

namespace hastore::replicated {

struct HeldInstance {
  std::mutex mu;
  std::string name;
  std::string dir;
  InstanceEntry entry;
  std::map<std::string, std::unique_ptr<MappedRegionFile>> files;
  // Client connections open on this daemon that claimed it, by the session they claimed for.
  std::map<std::string, int> live_sessions;

  int live_claims() const;
  // A session other than `session` that a client connection holds a claim for; "" if none.
  std::string OtherLiveSession(const std::string& session) const;
  void AddLive(const std::string& session) { ++live_sessions[session]; }
  void DropLive(const std::string& session);
};

class HeldInstances {
 public:
  // Opens the catalogue and maps every file found under `directory`.
  static Result<std::unique_ptr<HeldInstances>> Open(const std::string& directory, uint64_t region_size);

  std::shared_ptr<HeldInstance> Find(const std::string& instance);
  // The instance, created empty (not yet in the catalogue) when it is new.
  Result<std::shared_ptr<HeldInstance>> FindOrAdd(const std::string& instance);
  std::vector<std::shared_ptr<HeldInstance>> All();

  // Under the instance's mutex:
  Result<MappedRegionFile*> File(HeldInstance& h, const std::string& name, bool create);
  Status Write(HeldInstance& h, const std::string& name, uint64_t offset, std::string_view bytes);
  Status Truncate(HeldInstance& h, const std::string& name, uint64_t size);
  Status Remove(HeldInstance& h, const std::string& name);
  Status Rename(HeldInstance& h, const std::string& from, const std::string& to);
  Status SaveEntry(HeldInstance& h);
  // Replaces every file of the instance with `files` (name -> contents): a partner's push.
  Status Replace(HeldInstance& h, const std::map<std::string, std::string_view>& files);
  // Removes the instance: its files and its catalogue entry.
  Status Drop(HeldInstance& h);

  // Bytes held (logical sizes of every file).
  uint64_t used_bytes() const { return used_.load(); }
  uint64_t CapacityOf(const std::string& name) const;

 private:
  HeldInstances(std::string directory, uint64_t region_size, std::unique_ptr<Catalogue> catalogue)
      : directory_(std::move(directory)), region_size_(region_size), catalogue_(std::move(catalogue)) {}
  Status Load();
  // Removes every file of the instance (under its mutex).
  Status RemoveAll(HeldInstance& h);
  // An instance with nothing yet, its directory under <directory>/regions.
  std::shared_ptr<HeldInstance> NewInstance(const std::string& instance) const;

  const std::string directory_;
  const uint64_t region_size_;
  std::unique_ptr<Catalogue> catalogue_;
  std::atomic<uint64_t> used_{0};
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<HeldInstance>> instances_;
};

// A file name a client may use: no path separators, not "." or "..", 1-255 bytes.
Status ValidateFileName(std::string_view name);

}  // namespace hastore::replicated
