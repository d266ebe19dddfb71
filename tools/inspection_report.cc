#include "inspection_report.h"

namespace hastore::tools {
namespace {

// The damage status reads "<path> at offset <n>: <reason>"; the reason alone, for JSON.
std::string DamageReason(const FileStoreInspection& in) {
  const std::string prefix = in.damage_path + " at offset " + std::to_string(in.damage_offset) + ": ";
  const std::string& message = in.damage.message();
  return message.starts_with(prefix) ? message.substr(prefix.size()) : message;
}

std::string OrNone(const std::string& text) { return text.empty() ? "none" : text; }

std::string TornTail(const FileStoreInspection& in) {
  return std::to_string(in.torn_bytes) + " bytes at offset " + std::to_string(in.torn_offset) + " of " +
         in.torn_segment;
}

}  // namespace

Json InspectionJson(const std::string& directory, const FileStoreInspection& in) {
  Json segments = Json::array();
  for (const SegmentSummary& s : in.segments) {
    segments.push_back({{"name", s.name},
                        {"number", s.number},
                        {"epoch", s.epoch},
                        {"log_bytes", s.log_bytes},
                        {"file_bytes", s.file_bytes},
                        {"batches", s.batches}});
  }
  Json connections = Json::object();
  for (const auto& [name, records] : in.connections) connections[name] = records;
  Json torn = nullptr;
  if (in.torn_bytes > 0) torn = {{"segment", in.torn_segment}, {"offset", in.torn_offset}, {"bytes", in.torn_bytes}};
  Json damage = nullptr;
  if (!in.damage.ok()) damage = {{"path", in.damage_path}, {"offset", in.damage_offset}, {"reason", DamageReason(in)}};
  return {{"instance", in.instance},
          {"directory", directory},
          {"records", in.records},
          {"record_bytes", in.record_bytes},
          {"transactions", in.transactions},
          {"batches", in.batches},
          {"connections", connections},
          {"segments", segments},
          {"orphans", in.orphans},
          {"torn_tail", torn},
          {"fence", {{"epoch", in.fence_epoch}, {"holder", in.fence_holder}}},
          {"engine", in.engine},
          {"damage", damage}};
}

void PrintInspection(const std::string& directory, const FileStoreInspection& in, std::ostream& out) {
  out << "instance: " << in.instance << '\n'
      << "directory: " << directory << '\n'
      << "connections: " << in.connections.size() << '\n';
  for (const auto& [name, records] : in.connections) {
    out << "  " << EscapeBytes(name) << ": " << records << " records\n";
  }
  out << "records: " << in.records << '\n'
      << "record bytes: " << in.record_bytes << '\n'
      << "transactions: " << in.transactions << '\n'
      << "segments: " << in.segments.size() << '\n';
  for (const SegmentSummary& s : in.segments) {
    out << "  " << s.name << ": epoch " << s.epoch << ", log bytes " << s.log_bytes << ", file bytes " << s.file_bytes
        << '\n';
  }
  std::string orphans;
  for (const std::string& name : in.orphans) orphans += (orphans.empty() ? "" : ", ") + name;
  out << "orphans: " << OrNone(orphans) << '\n'
      << "torn tail: " << (in.torn_bytes > 0 ? TornTail(in) : "none") << '\n'
      << "fence epoch: " << in.fence_epoch << '\n'
      << "fence holder: " << OrNone(in.fence_holder) << '\n'
      << "engine: " << in.engine << '\n';
  if (!in.damage.ok()) out << DamageLine(in) << '\n';
}

std::string DamageLine(const FileStoreInspection& in) {
  return "damage: " + in.damage_path + " at offset " + std::to_string(in.damage_offset) + ": " + DamageReason(in);
}

std::string TornTailNote(const FileStoreInspection& in) {
  if (in.torn_bytes == 0) return "";
  return "note: torn tail of " + TornTail(in) + " (unacknowledged writes past the end of the log; not damage)";
}

}  // namespace hastore::tools
