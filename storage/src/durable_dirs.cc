// CreateDirsDurably (io.h): mkdir -p, then one directory sync per new entry.
#include <vector>

#include "hastore/storage/io.h"

namespace hastore {

namespace {

// The directory holding path: "a/b/c" -> "a/b", "/a" -> "/", "a" -> "." (trailing and repeated
// slashes ignored).
std::string ParentOf(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  path.resize(slash);
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path.empty() ? "/" : path;
}

}  // namespace

Status CreateDirsDurably(FileSystem& fs, const std::string& dir) {
  if (dir.empty()) return Status::Ok();
  // The directories to make, deepest first: every prefix that does not exist yet.
  std::vector<std::string> missing;
  for (std::string p = dir; !p.empty() && p != "/" && p != "." && !fs.Exists(p); p = ParentOf(p)) {
    missing.push_back(p);
  }
  if (missing.empty()) return Status::Ok();
  HASTORE_RETURN_IF_ERROR(fs.CreateDirs(dir));
  for (const std::string& made : missing) {
    Status synced = fs.SyncDir(ParentOf(made));
    if (!synced.ok()) {
      return Status(synced.code(), "made the directory " + made + " but cannot make it durable: " + synced.message());
    }
  }
  return Status::Ok();
}

}  // namespace hastore
