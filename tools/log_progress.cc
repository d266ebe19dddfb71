#include "log_progress.h"

namespace hastore::tools {

LogProgress::LogProgress(std::string_view verb, const StoreLog& log, const std::string& instance) {
  if (!ProgressMeter::Wanted()) return;
  auto sizes = SegmentFileSizes(log, instance);
  if (!sizes.ok()) return;
  sizes_ = std::move(sizes).value();
  for (const auto& [name, bytes] : sizes_) total_ += bytes;
  meter_ = std::make_unique<ProgressMeter>(verb, ProgressMeter::Unit::kBytes, total_);
}

void LogProgress::At(const std::string& segment, uint64_t offset) {
  if (!meter_) return;
  if (segment != current_) {
    // Segment names sort by their number: one before the current one is a new pass.
    passed_ = segment < current_ ? 0 : passed_ + (current_.empty() ? 0 : sizes_[current_]);
    current_ = segment;
  }
  meter_->Update(passed_ + offset);
}

void LogProgress::Done() {
  if (!meter_) return;
  meter_->Update(total_);
  meter_->Finish();
}

}  // namespace hastore::tools
