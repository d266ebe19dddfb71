#include "fence_file.h"

#include <cstring>

#include "hastore/storage/checksum.h"

namespace hastore::filestore {
namespace {
constexpr char kMagic[8] = {'H', 'S', 'T', 'F', 'E', 'N', 'C', '1'};
constexpr size_t kChecksumAt = FenceFile::kSlot - 8;
constexpr size_t kMaxHolder = 256;
}  // namespace

Result<std::unique_ptr<FenceFile>> FenceFile::Open(FileSystem* fs, const std::string& path, bool create) {
  auto f = fs->Open(path, OpenOptions{.create = create, .read_only = !create});
  if (!f.ok()) return f.status();
  return std::unique_ptr<FenceFile>(new FenceFile(std::move(f).value()));
}

namespace {

// Parses one slot; false when it is not a valid one.
bool ParseSlot(const char* p, FenceFile::Contents* c) {
  uint64_t sum = 0;
  std::memcpy(&sum, p + kChecksumAt, 8);
  if (std::memcmp(p, kMagic, 8) != 0 || sum != Checksum(p, kChecksumAt)) return false;
  std::memcpy(&c->epoch, p + 8, 8);
  uint16_t n = 0;
  std::memcpy(&n, p + 16, 2);
  c->holder.assign(p + 18, std::min<size_t>(n, kMaxHolder));
  return true;
}

}  // namespace

Result<FenceFile::Contents> FenceFile::Read() const {
  char buf[2 * kSlot] = {};
  size_t got = 0;
  HASTORE_RETURN_IF_ERROR(file_->Read(0, buf, sizeof buf, &got));
  Contents best;
  for (size_t slot = 0; slot < 2; ++slot) {
    Contents c;
    if (got >= (slot + 1) * kSlot && ParseSlot(buf + slot * kSlot, &c) && c.epoch >= best.epoch) best = c;
  }
  best.damaged = best.epoch == 0 && got > 0;
  return best;
}

Status FenceFile::Write(uint64_t epoch, const std::string& holder) {
  char buf[kSlot] = {};
  std::memcpy(buf, kMagic, 8);
  std::memcpy(buf + 8, &epoch, 8);
  const uint16_t n = static_cast<uint16_t>(std::min(holder.size(), kMaxHolder));
  std::memcpy(buf + 16, &n, 2);
  std::memcpy(buf + 18, holder.data(), n);
  const uint64_t sum = Checksum(buf, kChecksumAt);
  std::memcpy(buf + kChecksumAt, &sum, 8);
  HASTORE_RETURN_IF_ERROR(file_->Write((epoch % 2) * kSlot, buf, kSlot));
  return file_->Sync();
}

}  // namespace hastore::filestore
