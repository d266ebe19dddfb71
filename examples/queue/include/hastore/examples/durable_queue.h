// An example service on a store: a durable FIFO queue, what `hastore demo` and the HA tests run.
//
// Messages are records of one connection; a message's id is its record's handle, so FIFO order
// is handle order, which every kind of store keeps across restarts and migrations (a new owner
// assigns handles above every stored one). Enqueue returns once the message is durable;
// Acknowledge removes it durably. Dequeue hands out the oldest message not yet handed out:
// messages handed out but not acknowledged when the queue is reopened (after a crash or a
// migration) are handed out again — at-least-once delivery.
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "hastore/storage/store.h"

namespace hastore::examples {

struct Message {
  Handle id = 0;
  std::string body;
};

class DurableQueue {
 public:
  // Opens the queue `name` (its connection) on `store`, which must outlive it, and loads the
  // messages it holds.
  static Result<std::unique_ptr<DurableQueue>> Open(Store& store, std::string_view name = "queue");

  // Returns the message's id once it is durable; an error's outcome may be unknown
  // (Status::outcome_unknown: its write or sync failed, the store was fenced after writing it,
  // or the database answer was lost) or it is not applied (Status::not_applied: never stored).
  Result<Handle> Enqueue(std::string_view body);
  // The oldest message not handed out yet; nullopt when there is none.
  Result<std::optional<Message>> Dequeue();
  // Removes a handed-out message for good.
  Status Acknowledge(Handle id);

  // Messages stored (handed out or not).
  size_t size() const;

 private:
  DurableQueue(Store& store, Connection connection) : store_(store), connection_(std::move(connection)) {}

  Store& store_;
  const Connection connection_;
  mutable std::mutex mu_;
  std::set<Handle> waiting_;      // stored, not handed out, in id order
  std::set<Handle> handed_out_;   // stored, handed out, not acknowledged
};

}  // namespace hastore::examples
