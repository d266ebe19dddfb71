// Progress through the log of a file or replicated store, read segment by segment in order
// (verify, repair): the bytes of the segment files passed, plus the offset in the current one,
// of the bytes of all the instance's segment files.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "progress_meter.h"
#include "store_opener.h"

namespace hastore::tools {

class LogProgress {
 public:
  // Measures the segment files only when a meter would show (ProgressMeter::Wanted); a log
  // that cannot be measured shows none.
  LogProgress(std::string_view verb, const StoreLog& log, const std::string& instance);

  // A record read at `offset` of `segment` (a file name). A segment before the current one
  // starts the count again: the reader went back to the log's start (repair's next round).
  void At(const std::string& segment, uint64_t offset);
  // The whole log was read.
  void Done();

 private:
  std::map<std::string, uint64_t> sizes_;
  uint64_t total_ = 0;
  std::string current_;
  uint64_t passed_ = 0;  // bytes of the segments before current_
  std::unique_ptr<ProgressMeter> meter_;
};

}  // namespace hastore::tools
