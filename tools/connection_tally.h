// What each connection of a store holds, counted by reading every record back (`hastore list`
// and `hastore verify` on kinds whose stats do not count per connection).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "hastore/storage/store.h"

namespace hastore::tools {

struct ConnectionTally {
  std::string name;
  uint64_t records = 0;
  uint64_t bytes = 0;
};

// Every connection, in Connections() order; the first failed scan is the error. `on_record`
// is told how many records were read so far, after each one.
Result<std::vector<ConnectionTally>> TallyConnections(const Store& store,
                                                      const std::function<void(uint64_t read)>& on_record = {});

}  // namespace hastore::tools
