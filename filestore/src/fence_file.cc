#include "fence_file.h"

#include <cstring>

#include "hastore/storage/checksum.h"

namespace hastore::filestore {
namespace {
constexpr char kMagic[8] = {'H', 'S', 'T', 'F', 'E', 'N', 'C', '1'};
constexpr size_t kChecksumAt = FenceFile::kSize - 8;
constexpr size_t kMaxHolder = 256;
}  // namespace

Result<std::unique_ptr<FenceFile>> FenceFile::Open(FileSystem* fs, const std::string& path, bool create) {
  auto f = fs->Open(path, OpenOptions{.create = create, .read_only = !create});
  if (!f.ok()) return f.status();
  return std::unique_ptr<FenceFile>(new FenceFile(std::move(f).value()));
}

Result<FenceFile::Contents> FenceFile::Read() const {
  char buf[kSize];
  size_t got = 0;
  HASTORE_RETURN_IF_ERROR(file_->Read(0, buf, kSize, &got));
  Contents c;
  if (got == 0) return c;
  uint64_t sum = 0;
  if (got == kSize) std::memcpy(&sum, buf + kChecksumAt, 8);
  if (got < kSize || std::memcmp(buf, kMagic, 8) != 0 || sum != Checksum(buf, kChecksumAt)) {
    return Status::Corruption("fence file " + file_->path() + " at offset 0 is damaged");
  }
  std::memcpy(&c.epoch, buf + 8, 8);
  uint16_t n = 0;
  std::memcpy(&n, buf + 16, 2);
  c.holder.assign(buf + 18, std::min<size_t>(n, kMaxHolder));
  return c;
}

Status FenceFile::Write(uint64_t epoch, const std::string& holder) {
  char buf[kSize] = {};
  std::memcpy(buf, kMagic, 8);
  std::memcpy(buf + 8, &epoch, 8);
  const uint16_t n = static_cast<uint16_t>(std::min(holder.size(), kMaxHolder));
  std::memcpy(buf + 16, &n, 2);
  std::memcpy(buf + 18, holder.data(), n);
  const uint64_t sum = Checksum(buf, kChecksumAt);
  std::memcpy(buf + kChecksumAt, &sum, 8);
  HASTORE_RETURN_IF_ERROR(file_->Write(0, buf, kSize));
  return file_->Sync();
}

}  // namespace hastore::filestore
