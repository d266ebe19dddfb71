#include "cluster_records.h"

#include <nlohmann/json.hpp>

namespace hastore::ha {

namespace {

using Json = nlohmann::json;

// Parses `text` and runs `read` on it; a malformed record is kCorruption naming its key.
template <class T, class Fn>
Result<T> Decode(std::string_view key, std::string_view text, Fn&& read) {
  try {
    const Json j = Json::parse(text);
    return read(j);
  } catch (const Json::exception& e) {
    return Status::Corruption("cluster record " + std::string(key) + " is not valid: " + e.what());
  }
}

}  // namespace

std::string Encode(const Assignment& a) {
  return Json{{"instance", a.instance}, {"server", a.server}, {"not_before", a.not_before_ms}, {"reason", a.reason}}.dump();
}
std::string Encode(const ServerRecord& r) { return Json{{"up_since", r.up_since_ms}, {"shut_down", r.shut_down_ms}}.dump(); }
std::string Encode(const LastRun& r) { return Json{{"server", r.server}, {"epoch", r.epoch}, {"ms", r.ms}}.dump(); }
std::string Encode(const FailureRecord& r) {
  return Json{{"server", r.server}, {"failures", r.failures}, {"last_ms", r.last_ms}, {"given_up_on", r.given_up_on}}.dump();
}
std::string Encode(const MigrationStatus& r) {
  return Json{{"from", r.from},           {"to", r.to},
              {"state", r.state},         {"message", r.message},
              {"requested_ms", r.requested_ms}, {"finished_ms", r.finished_ms}}
      .dump();
}
std::string EncodePin(std::string_view server) { return Json{{"server", server}}.dump(); }
std::string EncodeClusterStart(int64_t ms) { return Json{{"ms", ms}}.dump(); }

Result<Assignment> DecodeAssignment(std::string_view key, std::string_view text) {
  return Decode<Assignment>(key, text, [](const Json& j) {
    return Assignment{j.at("instance").get<std::string>(), j.at("server").get<std::string>(),
                      j.at("not_before").get<int64_t>(), j.at("reason").get<std::string>()};
  });
}
Result<ServerRecord> DecodeServerRecord(std::string_view key, std::string_view text) {
  return Decode<ServerRecord>(key, text, [](const Json& j) {
    return ServerRecord{j.at("up_since").get<int64_t>(), j.at("shut_down").get<int64_t>()};
  });
}
Result<LastRun> DecodeLastRun(std::string_view key, std::string_view text) {
  return Decode<LastRun>(key, text, [](const Json& j) {
    return LastRun{j.at("server").get<std::string>(), j.at("epoch").get<uint64_t>(), j.at("ms").get<int64_t>()};
  });
}
Result<FailureRecord> DecodeFailure(std::string_view key, std::string_view text) {
  return Decode<FailureRecord>(key, text, [](const Json& j) {
    return FailureRecord{j.at("server").get<std::string>(), j.at("failures").get<uint32_t>(),
                         j.at("last_ms").get<int64_t>(), j.at("given_up_on").get<std::vector<std::string>>()};
  });
}
Result<MigrationStatus> DecodeMigration(std::string_view key, std::string_view text) {
  return Decode<MigrationStatus>(key, text, [](const Json& j) {
    return MigrationStatus{j.at("from").get<std::string>(),    j.at("to").get<std::string>(),
                           j.at("state").get<std::string>(),   j.at("message").get<std::string>(),
                           j.at("requested_ms").get<int64_t>(), j.at("finished_ms").get<int64_t>()};
  });
}
Result<std::string> DecodePin(std::string_view key, std::string_view text) {
  return Decode<std::string>(key, text, [](const Json& j) { return j.at("server").get<std::string>(); });
}
Result<int64_t> DecodeClusterStart(std::string_view key, std::string_view text) {
  return Decode<int64_t>(key, text, [](const Json& j) { return j.at("ms").get<int64_t>(); });
}

}  // namespace hastore::ha
