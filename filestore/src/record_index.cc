#include "record_index.h"

#include <algorithm>

#include "format.h"

namespace hastore::filestore {

void RecordIndex::Account(const Location& loc, int sign) {
  const uint64_t bytes = EncodedRecordSize(loc.data_len);
  if (sign > 0) {
    live_bytes_[loc.file] += bytes;
    per_connection_[loc.connection] += 1;
    data_bytes_ += loc.data_len;
    return;
  }
  auto it = live_bytes_.find(loc.file);
  if (it != live_bytes_.end() && (it->second -= bytes) == 0) live_bytes_.erase(it);
  auto c = per_connection_.find(loc.connection);
  if (c != per_connection_.end() && --c->second == 0) per_connection_.erase(c);
  data_bytes_ -= loc.data_len;
}

void RecordIndex::Put(Handle handle, const Location& loc) {
  auto [it, inserted] = map_.try_emplace(handle, loc);
  if (!inserted) {
    Account(it->second, -1);
    it->second = loc;
  }
  Account(loc, +1);
}

void RecordIndex::Erase(Handle handle) {
  auto it = map_.find(handle);
  if (it == map_.end()) return;
  Account(it->second, -1);
  map_.erase(it);
}

const Location* RecordIndex::Find(Handle handle) const {
  auto it = map_.find(handle);
  return it == map_.end() ? nullptr : &it->second;
}

uint64_t RecordIndex::LiveBytes(uint32_t file) const {
  auto it = live_bytes_.find(file);
  return it == live_bytes_.end() ? 0 : it->second;
}

std::vector<Handle> RecordIndex::HandlesOf(uint32_t connection) const {
  std::vector<Handle> out;
  for (const auto& [h, loc] : map_) {
    if (loc.connection == connection) out.push_back(h);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::pair<Handle, Location>> RecordIndex::RecordsIn(uint32_t file) const {
  std::vector<std::pair<Handle, Location>> out;
  for (const auto& [h, loc] : map_) {
    if (loc.file == file) out.emplace_back(h, loc);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.second.offset < b.second.offset; });
  return out;
}

uint64_t RecordIndex::CountOf(uint32_t connection) const {
  auto it = per_connection_.find(connection);
  return it == per_connection_.end() ? 0 : it->second;
}

}  // namespace hastore::filestore
