// A fresh directory under $TMPDIR (or /tmp), removed with its contents when destroyed.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

namespace hastore::testing {

class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/hastore-test-XXXXXX";
    path_ = ::mkdtemp(tmpl.data()) ? tmpl : std::string();
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty() && !std::getenv("HASTORE_KEEP_TEST_DIRS")) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A multiplier for soak runs: HASTORE_SOAK=10 runs ten times the work of the CI-sized tests.
inline int SoakFactor() {
  const char* v = std::getenv("HASTORE_SOAK");
  const int n = v ? std::atoi(v) : 1;
  return n > 0 ? n : 1;
}

}  // namespace hastore::testing
