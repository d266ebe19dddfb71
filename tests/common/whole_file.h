// A whole file as a string, for tests that check what a command or a script wrote.
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

}  // namespace hastore::testing
