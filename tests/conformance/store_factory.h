// What the conformance suite needs from a kind of store: a way to open the same instance
// again and again. Each kind registers its factories (one per configuration worth testing).
#pragma once

#include <memory>
#include <functional>
#include <string>

#include "hastore/storage/store.h"

namespace hastore::testing {

class StoreFactory {
 public:
  virtual ~StoreFactory() = default;
  // Opens (creating on first use) the one instance this factory stands for, in single-server
  // mode (epoch 0) or, with a lease's ownership, under that epoch.
  Result<std::unique_ptr<Store>> Open() { return OpenAs(Ownership{0, "conformance test"}); }
  virtual Result<std::unique_ptr<Store>> OpenAs(const Ownership& ownership) = 0;
  // Largest record the configuration accepts.
  virtual uint64_t max_record_size() const = 0;
};

// A named way to make a fresh factory for each test.
struct StoreKindParam {
  std::string name;  // used in test names: letters, digits, '_'
  std::function<std::unique_ptr<StoreFactory>()> make;
};

}  // namespace hastore::testing
