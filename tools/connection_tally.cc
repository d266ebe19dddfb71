#include "connection_tally.h"

namespace hastore::tools {

Result<std::vector<ConnectionTally>> TallyConnections(const Store& store,
                                                      const std::function<void(uint64_t read)>& on_record) {
  std::vector<ConnectionTally> out;
  uint64_t read = 0;
  for (const Connection& c : store.Connections()) {
    ConnectionTally tally{.name = c.name};
    Status s = store.Scan(c, [&](Handle, std::string_view data) {
      ++tally.records;
      tally.bytes += data.size();
      if (on_record) on_record(++read);
      return true;
    });
    if (!s.ok()) return s;
    out.push_back(std::move(tally));
  }
  return out;
}

}  // namespace hastore::tools
