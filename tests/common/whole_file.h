// A whole file as a string, for tests that check what a command or a script wrote, or that
// plant or damage a file.
#pragma once

#include <fstream>
#include <sstream>
#include <string>

namespace hastore::testing {

// "" if the file cannot be read.
inline std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Replaces the file's content with `bytes`; false if it could not be written.
[[nodiscard]] inline bool WriteWholeFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  out.close();
  return out.good();
}

}  // namespace hastore::testing
