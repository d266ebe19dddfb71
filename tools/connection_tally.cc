#include "connection_tally.h"

namespace hastore::tools {

Result<std::vector<ConnectionTally>> TallyConnections(const Store& store) {
  std::vector<ConnectionTally> out;
  for (const Connection& c : store.Connections()) {
    ConnectionTally tally{.name = c.name};
    Status s = store.Scan(c, [&](Handle, std::string_view data) {
      ++tally.records;
      tally.bytes += data.size();
      return true;
    });
    if (!s.ok()) return s;
    out.push_back(std::move(tally));
  }
  return out;
}

}  // namespace hastore::tools
