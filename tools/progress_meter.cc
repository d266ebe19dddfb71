#include "progress_meter.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iterator>

namespace hastore::tools {
namespace {

constexpr auto kInterval = std::chrono::milliseconds(200);

// "512 B", "3.0 MiB", "1.2 GiB".
std::string Bytes(uint64_t n) {
  if (n < 1024) return std::to_string(n) + " B";
  static constexpr const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(n) / 1024;
  size_t u = 0;
  while (v >= 1024 && u + 1 < std::size(kUnits)) {
    v /= 1024;
    ++u;
  }
  char text[32];
  std::snprintf(text, sizeof text, "%.1f %s", v, kUnits[u]);
  return text;
}

}  // namespace

bool ProgressMeter::Wanted() { return ::isatty(STDERR_FILENO) == 1; }

ProgressMeter::ProgressMeter(std::string_view verb, Unit unit, uint64_t total, std::string_view what)
    : enabled_(Wanted()),
      prefix_("hastore " + std::string(verb) + ": "),
      unit_(unit),
      total_(total),
      what_(what) {
  if (!enabled_) return;
  std::lock_guard lock(mu_);
  Show();
}

ProgressMeter::~ProgressMeter() { Finish(); }

void ProgressMeter::Update(uint64_t done) {
  if (!enabled_) return;
  std::lock_guard lock(mu_);
  if (finished_) return;
  done_ = done;
  if (std::chrono::steady_clock::now() - last_ >= kInterval) Show();
}

void ProgressMeter::Finish() {
  if (!enabled_) return;
  std::lock_guard lock(mu_);
  if (finished_) return;
  Show();
  std::fputs("\n", stderr);
  finished_ = true;
}

void ProgressMeter::Show() {
  const uint64_t done = std::min(done_, total_);
  const std::string figures = unit_ == Unit::kBytes ? Bytes(done) + " of " + Bytes(total_)
                                                    : std::to_string(done) + " of " + std::to_string(total_);
  const int percent = total_ == 0 ? 100 : static_cast<int>(done * 100 / total_);
  // "\r" back to the line's start; "\x1b[K" clears what a longer earlier line left.
  std::fprintf(stderr, "\r%s%s%s%s (%d%%)\x1b[K", prefix_.c_str(), figures.c_str(), what_.empty() ? "" : " ",
               what_.c_str(), percent);
  std::fflush(stderr);
  last_ = std::chrono::steady_clock::now();
}

}  // namespace hastore::tools
