#include "report_format.h"

#include "hastore/bench/churn.h"
#include "hastore/bench/reopen.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace hastore::bench {

namespace {

constexpr size_t kColumns = 10;
using Line = std::array<std::string, kColumns>;
// Text columns are left-aligned, numbers right-aligned.
constexpr std::array<bool, kColumns> kLeftAligned = {true, true, false, false, false, false, false, false, false, false};

std::string Fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

Line CellsOf(const BenchRow& r) {
  return {r.kind,
          r.policy,
          std::to_string(r.writers),
          std::to_string(r.record_size),
          Fixed(r.commits_per_s, 0),
          Fixed(r.p50_us, 1),
          Fixed(r.p99_us, 1),
          Fixed(r.p999_us, 1),
          Fixed(r.cpu_us_per_commit, 1),
          r.ratio_to_raw > 0 ? Fixed(r.ratio_to_raw, 2) : "-"};
}

// One figure per line ("name  value", names aligned), or the JSON object.
std::string FormatFigures(const nlohmann::ordered_json& figures, bool json) {
  if (json) return figures.dump(2) + "\n";
  size_t width = 0;
  for (const auto& [name, value] : figures.items()) width = std::max(width, name.size());
  std::string out;
  for (const auto& [name, value] : figures.items()) {
    out += name + std::string(width - name.size() + 2, ' ');
    out += value.is_number_float() ? Fixed(value.get<double>(), 3) : value.dump();
    out += '\n';
  }
  return out;
}

}  // namespace

std::string FormatReopenReport(const ReopenReport& r, bool json) {
  return FormatFigures({{"records", r.records},
                        {"file_bytes", r.file_bytes},
                        {"load_seconds", r.load_seconds},
                        {"read_seconds", r.read_seconds},
                        {"reopen_seconds", r.reopen_seconds},
                        {"ratio_to_read", r.ratio_to_read},
                        {"resident_before", r.resident_before},
                        {"resident_open", r.resident_open},
                        {"resident_peak", r.resident_peak},
                        {"bytes_per_record", r.bytes_per_record},
                        {"memory_budget", r.memory_budget}},
                       json);
}

std::string FormatChurnReport(const ChurnReport& r, bool json) {
  return FormatFigures({{"live_records", r.live_records},
                        {"created_bytes", r.created_bytes},
                        {"commits", r.commits},
                        {"seconds", r.seconds},
                        {"max_file_bytes", r.max_file_bytes},
                        {"max_allocated_bytes", r.max_allocated_bytes},
                        {"final_file_bytes", r.final_file_bytes},
                        {"segments_compacted", r.segments_compacted},
                        {"bytes_compacted", r.bytes_compacted}},
                       json);
}

std::string FormatProgressLine(const BenchRow& row) {
  return "done " + row.kind + " " + row.policy + " writers=" + std::to_string(row.writers) +
         " size=" + std::to_string(row.record_size) + ": " + Fixed(row.commits_per_s, 0) + " commits/s, p99 " +
         Fixed(row.p99_us, 1) + " us";
}

std::string FormatTable(const std::vector<BenchRow>& rows) {
  std::vector<Line> lines;
  lines.push_back({"kind", "policy", "writers", "size", "commits/s", "p50_us", "p99_us", "p99.9_us", "cpu_us", "x_ref"});
  for (const BenchRow& r : rows) lines.push_back(CellsOf(r));

  std::array<size_t, kColumns> width{};
  for (const Line& line : lines) {
    for (size_t c = 0; c < kColumns; ++c) width[c] = std::max(width[c], line[c].size());
  }
  std::string out;
  for (const Line& line : lines) {
    for (size_t c = 0; c < kColumns; ++c) {
      const std::string pad(width[c] - line[c].size(), ' ');
      if (c > 0) out += "  ";
      out += kLeftAligned[c] ? line[c] + pad : pad + line[c];
    }
    out.erase(out.find_last_not_of(' ') + 1);
    out += '\n';
  }
  return out;
}

std::string FormatJson(const std::vector<BenchRow>& rows) {
  nlohmann::ordered_json array = nlohmann::ordered_json::array();
  for (const BenchRow& r : rows) {
    array.push_back({{"kind", r.kind},
                     {"policy", r.policy},
                     {"writers", r.writers},
                     {"record_size", r.record_size},
                     {"commits_per_s", r.commits_per_s},
                     {"p50_us", r.p50_us},
                     {"p99_us", r.p99_us},
                     {"p999_us", r.p999_us},
                     {"ratio_to_raw", r.ratio_to_raw},
                     {"cpu_us_per_commit", r.cpu_us_per_commit}});
  }
  return array.dump(2) + "\n";
}

}  // namespace hastore::bench
