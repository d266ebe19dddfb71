#include "hastore/storage/secret_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

namespace hastore {

namespace {

// Closes the descriptor on every path out of ReadSecretFile.
struct OpenFd {
  int fd;
  ~OpenFd() {
    if (fd >= 0) ::close(fd);
  }
};

std::string Octal(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof(text), "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

}  // namespace

Result<std::string> ReadSecretFile(const std::string& path, const std::string& what) {
  const std::string named = what + " " + path;
  const OpenFd file{::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY)};
  if (file.fd < 0) return Status::FromErrno(named, errno);
  struct stat st {};
  if (::fstat(file.fd, &st) != 0) return Status::FromErrno(named, errno);
  if (!S_ISREG(st.st_mode)) return Status::InvalidArgument(named + " is not a regular file");
  if ((st.st_mode & 077) != 0) {
    return Status::InvalidArgument(named + " is open to group or others (mode " + Octal(st.st_mode) +
                                   "): refused, as ssh refuses such a key; chmod 600 " + path);
  }
  std::string secret;
  char chunk[4096];
  for (;;) {
    const ssize_t r = ::read(file.fd, chunk, sizeof(chunk));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return Status::FromErrno("reading " + named, errno);
    if (r == 0) break;
    secret.append(chunk, static_cast<size_t>(r));
  }
  if (secret.empty()) return Status::InvalidArgument(named + " is empty");
  return secret;
}

std::string WithoutTrailingNewline(std::string secret) {
  if (!secret.empty() && secret.back() == '\n') secret.pop_back();
  if (!secret.empty() && secret.back() == '\r') secret.pop_back();
  return secret;
}

}  // namespace hastore
