#include "mapped_region_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/interprocess/file_mapping.hpp>
#include <boost/interprocess/mapped_region.hpp>
#include <cerrno>
#include <cstring>

namespace hastore::replicated {

namespace bip = boost::interprocess;

namespace {

constexpr uint64_t kHeaderBytes = 4096;
constexpr char kMagic[8] = {'H', 'S', 'R', 'G', 'N', '0', '0', '1'};

struct Header {
  char magic[8];
  uint64_t capacity;
  uint64_t size;  // logical size of the data
};

}  // namespace

struct MappedRegionFile::Mapping {
  bip::file_mapping file;
  bip::mapped_region region;
  Header* header() { return static_cast<Header*>(region.get_address()); }
};

MappedRegionFile::MappedRegionFile(std::string path, uint64_t capacity, std::unique_ptr<Mapping> m)
    : path_(std::move(path)), capacity_(capacity), m_(std::move(m)) {}

MappedRegionFile::~MappedRegionFile() = default;

Result<std::unique_ptr<MappedRegionFile>> MappedRegionFile::Open(const std::string& path, uint64_t capacity, bool create) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0644);
  if (fd < 0) return Status::FromErrno("opening region file " + path, errno);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return Status::FromErrno("reading the size of " + path, err);
  }
  const bool fresh = st.st_size == 0;
  if (fresh && ::ftruncate(fd, static_cast<off_t>(kHeaderBytes + capacity)) != 0) {
    const int err = errno;
    ::close(fd);
    return Status::FromErrno("sizing region file " + path, err);
  }
  ::close(fd);
  auto m = std::make_unique<Mapping>();
  try {
    m->file = bip::file_mapping(path.c_str(), bip::read_write);
    m->region = bip::mapped_region(m->file, bip::read_write);
  } catch (const bip::interprocess_exception& e) {
    return Status::IOError("mapping region file " + path + ": " + e.what());
  }
  if (m->region.get_size() < kHeaderBytes) return Status::Corruption("region file " + path + " is shorter than its header");
  Header* h = m->header();
  if (fresh) {
    std::memcpy(h->magic, kMagic, sizeof(kMagic));
    h->capacity = capacity;
    h->size = 0;
  } else if (std::memcmp(h->magic, kMagic, sizeof(kMagic)) != 0 || h->capacity + kHeaderBytes > m->region.get_size() ||
             h->size > h->capacity) {
    return Status::Corruption("region file " + path + " has a bad header (magic, capacity or size)");
  }
  const uint64_t cap = h->capacity;
  return std::unique_ptr<MappedRegionFile>(new MappedRegionFile(path, cap, std::move(m)));
}

char* MappedRegionFile::data() const { return static_cast<char*>(m_->region.get_address()) + kHeaderBytes; }

uint64_t MappedRegionFile::size() const { return m_->header()->size; }

Status MappedRegionFile::Write(uint64_t offset, const char* bytes, size_t n) {
  if (offset > capacity_ || n > capacity_ - offset) {
    return Status::TooLarge("region " + path_ + " is full: a write of " + std::to_string(n) + " bytes at offset " +
                            std::to_string(offset) + " passes its Region Size of " + std::to_string(capacity_) + " bytes");
  }
  std::memcpy(data() + offset, bytes, n);
  Header* h = m_->header();
  if (offset + n > h->size) h->size = offset + n;
  dirty_ = true;
  return Status::Ok();
}

std::string_view MappedRegionFile::View(uint64_t offset, size_t n) const {
  const uint64_t end = size();
  if (offset >= end) return {};
  return {data() + offset, static_cast<size_t>(std::min<uint64_t>(n, end - offset))};
}

void MappedRegionFile::Truncate(uint64_t size) {
  Header* h = m_->header();
  const uint64_t to = std::min(size, capacity_);
  if (to < h->size) std::memset(data() + to, 0, h->size - to);  // a later write past a gap reads zeros there
  h->size = to;
  dirty_ = true;
}

Status MappedRegionFile::Flush(bool wait) {
  dirty_ = false;
  const uint64_t bytes = kHeaderBytes + size();
  if (!m_->region.flush(0, static_cast<std::size_t>(bytes), !wait)) {
    dirty_ = true;
    return Status::IOError("flushing region file " + path_);
  }
  return Status::Ok();
}

}  // namespace hastore::replicated
