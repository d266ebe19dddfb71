#include "scratch_dir.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <system_error>
#include <vector>

#include "hastore/storage/io.h"

namespace hastore::bench {

Result<std::unique_ptr<ScratchDir>> ScratchDir::Make(const std::string& parent, const std::string& prefix) {
  const std::string pattern = JoinPath(parent, prefix + ".XXXXXX");
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (::mkdtemp(buf.data()) == nullptr) return Status::FromErrno("mkdtemp " + pattern, errno);
  return std::unique_ptr<ScratchDir>(new ScratchDir(buf.data()));
}

std::string ScratchDir::TempRoot() {
  const char* tmp = std::getenv("TMPDIR");
  return tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
}

ScratchDir::~ScratchDir() {
  std::error_code ignored;  // best effort: a leftover scratch directory is not worth failing a run for
  std::filesystem::remove_all(path_, ignored);
}

Result<WorkDir> OpenWorkDir(const std::string& given, const std::string& temp_prefix) {
  if (!given.empty()) {
    HASTORE_RETURN_IF_ERROR(FileSystem::Default()->CreateDirs(given));
    return WorkDir{nullptr, given};
  }
  Result<std::unique_ptr<ScratchDir>> made = ScratchDir::Make(ScratchDir::TempRoot(), temp_prefix);
  if (!made.ok()) return made.status();
  WorkDir work{std::move(made).value(), ""};
  work.path = work.temp->path();
  return work;
}

Status FlushFileSystem(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno("open " + dir, errno);
  const int rc = ::syncfs(fd);
  const int err = errno;
  ::close(fd);
  return rc == 0 ? Status::Ok() : Status::FromErrno("syncfs " + dir, err);
}

}  // namespace hastore::bench
