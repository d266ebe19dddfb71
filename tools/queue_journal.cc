#include "queue_journal.h"

#include <fstream>
#include <iterator>
#include <set>
#include <sstream>

#include "store_locator.h"
#include "store_opener.h"

namespace hastore::tools {
namespace {

// The rest of a line after the fields read so far, without its leading space.
std::string Rest(std::istringstream& fields) {
  std::string rest;
  std::getline(fields, rest);
  if (!rest.empty() && rest.front() == ' ') rest.erase(0, 1);
  return rest;
}

std::optional<JournalLine> ParseLine(const std::string& server, const std::string& line) {
  std::istringstream fields(line);
  std::string kind;
  JournalLine j;
  j.server = server;
  if (!(fields >> kind >> j.ms >> j.instance) || kind.size() != 1) return std::nullopt;
  j.kind = kind[0];
  switch (j.kind) {
    case 'W': return fields >> j.n ? std::optional(j) : std::nullopt;
    case 'A': return fields >> j.n >> j.id ? std::optional(j) : std::nullopt;
    case 'F': {
      std::string outcome;
      if (!(fields >> j.n >> outcome) || (outcome != "not-applied" && outcome != "unknown")) return std::nullopt;
      j.not_applied = outcome == "not-applied";
      j.text = Rest(fields);
      return j;
    }
    case 'U': return fields >> j.epoch ? std::optional(j) : std::nullopt;
    case 'D': j.text = Rest(fields); return j;
    default: return std::nullopt;
  }
}

// id -> body of every message of an instance, read from its store without taking it over.
Result<std::map<Handle, std::string>> ReadQueue(const ha::InstanceSpec& spec) {
  Result<std::unique_ptr<Store>> store = OpenReadOnly(LocationOf(spec.config));
  if (store.status().code() == StatusCode::kNotFound) return std::map<Handle, std::string>{};  // never started
  if (!store.ok()) return store.status();
  std::map<Handle, std::string> out;
  for (const Connection& connection : (*store)->Connections()) {
    if (connection.name != "queue") continue;
    HASTORE_RETURN_IF_ERROR((*store)->Scan(connection, [&](Handle h, std::string_view body) {
      out.emplace(h, std::string(body));
      return true;
    }));
  }
  return out;
}

}  // namespace

std::vector<JournalLine> ReadJournals(const std::map<std::string, std::string>& path_by_server) {
  return JournalTail().Poll(path_by_server);
}

std::vector<JournalLine> JournalTail::Poll(const std::map<std::string, std::string>& path_by_server) {
  std::vector<JournalLine> out;
  for (const auto& [server, path] : path_by_server) {
    Journal& journal = journals_[{server, path}];
    std::ifstream in(path, std::ios::binary);
    if (!in || !in.seekg(static_cast<std::streamoff>(journal.offset))) continue;  // missing: no lines yet
    const std::string appended{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    size_t begin = 0;
    for (size_t end; (end = appended.find('\n', begin)) != std::string::npos; begin = end + 1) {
      std::optional<JournalLine> j = ParseLine(server, appended.substr(begin, end - begin));
      if (!j) continue;
      journal.lines.push_back(*j);
      out.push_back(std::move(*j));
    }
    journal.offset += begin;  // the rest has no newline yet
  }
  return out;
}

std::vector<JournalLine> JournalTail::Lines() const {
  std::vector<JournalLine> out;
  for (const auto& [key, journal] : journals_) out.insert(out.end(), journal.lines.begin(), journal.lines.end());
  return out;
}

Result<QueueCheck> CheckQueues(const ha::ClusterConfig& config, const std::vector<JournalLine>& lines) {
  std::map<std::string, std::map<Handle, std::string>> stored;
  std::map<std::string, std::set<std::string>> bodies;  // by instance
  QueueCheck check;
  for (const ha::InstanceSpec& spec : ha::Instances(config)) {
    Result<std::map<Handle, std::string>> queue = ReadQueue(spec);
    if (!queue.ok()) return queue.status();
    std::map<std::string, int> seen;
    for (const auto& [id, body] : *queue) {
      if (++seen[body] == 2) check.duplicated.push_back(spec.instance + ": '" + body + "' is stored more than once");
      bodies[spec.instance].insert(body);
    }
    stored[spec.instance] = std::move(*queue);
  }
  for (const JournalLine& j : lines) {
    if (j.kind == 'W') ++check.written;
    const std::string body = j.server + " " + j.instance + " " + j.n;
    if (j.kind == 'F' && j.not_applied && bodies[j.instance].count(body) != 0) {
      check.refused_yet_stored.push_back(j.instance + " message " + j.n + " failed as not applied on " + j.server +
                                         " at " + std::to_string(j.ms) + " ms (" + j.text + "), yet it is stored");
    }
    if (j.kind != 'A') continue;
    ++check.acknowledged;
    auto it = stored[j.instance].find(j.id);
    if (it != stored[j.instance].end() && it->second == body) {
      ++check.recovered;
    } else {
      check.lost.push_back(j.instance + " message " + j.n + " (id " + std::to_string(j.id) + ") acknowledged to " +
                           j.server + " at " + std::to_string(j.ms) + " ms");
    }
  }
  return check;
}

std::optional<uint64_t> FirstAckAfter(const std::vector<JournalLine>& lines, const std::string& instance,
                                      uint64_t after_ms, const std::string& not_server) {
  std::optional<uint64_t> first;
  for (const JournalLine& j : lines) {
    if (j.kind == 'A' && j.instance == instance && j.ms > after_ms && j.server != not_server &&
        (!first || j.ms < *first))
      first = j.ms;
  }
  return first;
}

}  // namespace hastore::tools
