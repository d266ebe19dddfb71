#include "host_measure.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <memory>
#include <system_error>

namespace hastore::bench {

namespace {

constexpr size_t kReadChunk = size_t{4} << 20;

// Calls fn(path) for each regular file under dir (recursive or not), skipping what vanishes.
template <typename Fn>
void ForEachFile(const std::string& dir, bool recursive, Fn fn) {
  namespace fs = std::filesystem;
  std::error_code ec;
  auto visit = [&](const fs::directory_entry& entry) {
    std::error_code type_ec;
    if (entry.is_regular_file(type_ec)) fn(entry.path().string());
  };
  if (recursive) {
    for (fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end;
         !ec && it != end; it.increment(ec)) {
      visit(*it);
    }
  } else {
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) visit(*it);
  }
}

struct Fd {
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
  int fd;
};

}  // namespace

Result<ResidentMemory> ReadResidentMemory() {
  std::ifstream status("/proc/self/status");
  if (!status) return Status::IOError("cannot read /proc/self/status");
  ResidentMemory m;
  std::string key;
  uint64_t kib = 0;
  std::string unit;
  while (status >> key) {
    if (key == "VmRSS:" || key == "VmHWM:") {
      status >> kib >> unit;
      (key == "VmRSS:" ? m.current : m.peak) = kib * 1024;
    } else {
      status.ignore(1 << 12, '\n');
    }
  }
  if (m.current == 0) return Status::IOError("/proc/self/status has no VmRSS");
  return m;
}

double ProcessCpuSeconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

DirUsage MeasureDir(const std::string& dir) {
  DirUsage usage;
  ForEachFile(dir, true, [&](const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return;
    usage.apparent += static_cast<uint64_t>(st.st_size);
    usage.allocated += static_cast<uint64_t>(st.st_blocks) * 512;
  });
  return usage;
}

Status EvictFromPageCache(const std::string& dir) {
  Status result;
  ForEachFile(dir, true, [&](const std::string& path) {
    Fd f(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (f.fd < 0) return;
    if (!result.ok()) return;
    if (::fdatasync(f.fd) != 0) {
      result = Status::FromErrno("fdatasync " + path, errno);
    } else if (const int err = ::posix_fadvise(f.fd, 0, 0, POSIX_FADV_DONTNEED); err != 0) {
      result = Status::FromErrno("evicting " + path + " from the page cache", err);  // returned, not in errno
    }
  });
  return result;
}

Status ReadFilesSequentially(const std::string& dir) {
  std::unique_ptr<char[]> buf(new char[kReadChunk]);
  Status result;
  ForEachFile(dir, false, [&](const std::string& path) {
    Fd f(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (f.fd < 0) {
      if (result.ok()) result = Status::FromErrno("open " + path, errno);
      return;
    }
    for (;;) {
      const ssize_t n = ::read(f.fd, buf.get(), kReadChunk);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        if (result.ok()) result = Status::FromErrno("read " + path, errno);
        return;
      }
      if (n == 0) return;
    }
  });
  return result;
}

}  // namespace hastore::bench
