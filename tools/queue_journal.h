// The producers' journals of `hastore agent --journal` (queue_service.h), read back, and the
// check the demo and the fault tests make with them: every acknowledged message is in its
// instance's store, once, and no message refused as not applied is there at all.
//
// One line per event, appended with one write(2) each, so a kill -9 loses nothing written:
//   W <ms> <instance> <n>          an enqueue is attempted
//   A <ms> <instance> <n> <id>     it returned OK: the message is durable under handle <id>
//   F <ms> <instance> <n> <class> <error>
//                                  it failed; <class> is "not-applied" (never stored: the store
//                                  said so) or "unknown" (may be stored; Status::outcome_unknown)
//   U <ms> <instance> <epoch>      the instance became active on this server under <epoch>
//   D <ms> <instance> <why>        it stopped being active here
// <ms> is CLOCK_MONOTONIC in milliseconds (Clock::NowMonotonicMs), the same in every process
// of the machine. <n> is "<pid>-<sequence>", unique across runs of every server; the message
// body is "<server> <instance> <n>".
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "hastore/ha/cluster_config.h"
#include "hastore/storage/store.h"

namespace hastore::tools {

struct JournalLine {
  char kind = 0;  // W, A, F, U or D
  uint64_t ms = 0;
  std::string server;    // whose journal it is in
  std::string instance;
  std::string n;         // W, A, F
  Handle id = 0;         // A
  uint64_t epoch = 0;    // U
  std::string text;      // F: the error; D: why
  bool not_applied = false;  // F: the store said nothing of it is or will be stored
};

// The lines of every server's journal, each server's in the order written. A missing journal
// has no lines; a line cut short by a kill is left out.
std::vector<JournalLine> ReadJournals(const std::map<std::string, std::string>& path_by_server);

// Journals read as they grow, for a caller that reads them again and again: each Poll reads
// only what was appended since the last, from just past the last complete line it read (a line
// still being written, or cut short, is read again next time, with whatever follows it).
class JournalTail {
 public:
  // The complete lines appended since the last Poll to the journals of `path_by_server`, each
  // server's in the order written (the first Poll: what ReadJournals returns).
  std::vector<JournalLine> Poll(const std::map<std::string, std::string>& path_by_server);
  // Every line polled so far, as ReadJournals orders them.
  std::vector<JournalLine> Lines() const;

 private:
  struct Journal {
    uint64_t offset = 0;  // just past the last complete line read
    std::vector<JournalLine> lines;
  };
  std::map<std::pair<std::string, std::string>, Journal> journals_;  // by server and path
};

struct QueueCheck {
  uint64_t written = 0;       // W lines
  uint64_t acknowledged = 0;  // A lines
  uint64_t recovered = 0;     // acknowledged and found in its store with its body
  std::vector<std::string> lost;        // acknowledged, not found: one line each
  std::vector<std::string> duplicated;  // a body found more than once in a store
  std::vector<std::string> refused_yet_stored;  // failed as not applied, found in its store
};

// Reads the queue of every instance of `config` from its store, read-only (no lease, no
// fence: run it when the agents are stopped), and looks for every acknowledged message.
Result<QueueCheck> CheckQueues(const ha::ClusterConfig& config, const std::vector<JournalLine>& lines);

// The ms of the first acknowledgement of `instance` after `after_ms` by a server other than
// `not_server` ("" any), or nullopt.
std::optional<uint64_t> FirstAckAfter(const std::vector<JournalLine>& lines, const std::string& instance,
                                      uint64_t after_ms, const std::string& not_server = "");

}  // namespace hastore::tools
