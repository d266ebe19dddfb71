// What a refused or failed command must leave as it was, as text a failing test can print:
// every file and directory under a directory (names, sizes, contents; so a file store's fence
// and lock files, its quarantine/ and a daemon's regions too), or every row of every table of
// an embedded SQLite database (a JDBC store's records, connections and owner row).
#pragma once

#include <filesystem>
#include <string>
#include <system_error>
#include <vector>
#include <algorithm>

#include "common/whole_file.h"

namespace hastore::testing {

// FNV-1a, 64 bits: enough to tell contents apart in a test.
inline uint64_t ContentHash(const std::string& bytes) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : bytes) h = (h ^ c) * 1099511628211ull;
  return h;
}

// One line per entry under `dir`, sorted: "d <path>" or "f <path> <size> <hash>" (paths
// relative to dir); "absent" when dir does not exist. Modification times are left out: a
// rewrite of the same bytes changes nothing that matters. Files named in `runtime_only` are
// listed with their name alone: an LMDB environment's lock.mdb, its reader table, is written
// by every process that opens the environment, readers too.
inline std::string DigestDirectory(const std::string& dir, const std::vector<std::string>& runtime_only = {}) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(dir, ec)) return "absent\n";
  std::vector<std::string> lines;
  for (auto it = fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const std::string rel = fs::relative(it->path(), dir, ec).string();
    if (it->is_directory(ec)) {
      lines.push_back("d " + rel);
    } else if (std::find(runtime_only.begin(), runtime_only.end(), it->path().filename().string()) != runtime_only.end()) {
      lines.push_back("f " + rel);
    } else {
      const std::string bytes = ReadWholeFile(it->path().string());
      lines.push_back("f " + rel + " " + std::to_string(bytes.size()) + " " + std::to_string(ContentHash(bytes)));
    }
  }
  if (ec) lines.push_back("error: " + ec.message());
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const std::string& line : lines) out += line + "\n";
  return out;
}

}  // namespace hastore::testing
