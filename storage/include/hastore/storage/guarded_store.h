// A store whose writes are allowed only while a guard says so: the HA agent's stores, which may
// write only while the server's leases can be trusted.
//
// The guard is asked before a write is sent (a refused commit is `not applied`: it changes
// nothing) and again before its success is reported: a commit that became durable after the
// guard stopped allowing writes is reported as `fenced` (its outcome unknown to the caller,
// DESIGN §3), never acknowledged.
// Health() reports the guard's refusal as well. Reads, scans and Close go through unchanged.
//
// The guard runs on every commit, on the committing thread or the store's completion thread:
// it must be cheap and must not block (an atomic load and a clock read).
#pragma once

#include <functional>
#include <memory>

#include "hastore/storage/store.h"

namespace hastore {

// OK while writes are allowed; otherwise why not (the agent's says kFenced). A refused commit
// returns kNotApplied with that reason; Health() returns the reason itself.
using WriteGuard = std::function<Status()>;

std::unique_ptr<Store> GuardWrites(std::unique_ptr<Store> store, WriteGuard may_write);

}  // namespace hastore
