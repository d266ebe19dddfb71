#include "hastore/examples/durable_queue.h"

namespace hastore::examples {

Result<std::unique_ptr<DurableQueue>> DurableQueue::Open(Store& store, std::string_view name) {
  Result<Connection> connection = store.OpenConnection(name);
  if (!connection.ok()) return connection.status();
  std::unique_ptr<DurableQueue> queue(new DurableQueue(store, *connection));
  Status s = store.Scan(*connection, [&](Handle id, std::string_view) {
    queue->waiting_.insert(id);
    return true;
  });
  if (!s.ok()) return s;
  return queue;
}

Result<Handle> DurableQueue::Enqueue(std::string_view body) {
  Transaction txn = store_.Begin();
  Result<Handle> id = txn.Create(connection_, body);
  if (!id.ok()) return id.status();
  HASTORE_RETURN_IF_ERROR(store_.Commit(std::move(txn)));
  std::lock_guard lock(mu_);
  waiting_.insert(*id);
  return *id;
}

Result<std::optional<Message>> DurableQueue::Dequeue() {
  Handle id = 0;
  {
    std::lock_guard lock(mu_);
    if (waiting_.empty()) return std::optional<Message>();
    id = *waiting_.begin();
    waiting_.erase(waiting_.begin());
    handed_out_.insert(id);
  }
  Result<std::string> body = store_.Read(id);
  if (!body.ok()) {  // put it back: it is still stored, and the next Dequeue may succeed
    std::lock_guard lock(mu_);
    handed_out_.erase(id);
    waiting_.insert(id);
    return body.status();
  }
  return std::optional<Message>(Message{id, std::move(*body)});
}

Status DurableQueue::Acknowledge(Handle id) {
  {
    std::lock_guard lock(mu_);
    if (handed_out_.count(id) == 0)
      return Status::InvalidArgument("message " + std::to_string(id) + " of queue " + connection_.name +
                                     " is not handed out");
  }
  Transaction txn = store_.Begin();
  HASTORE_RETURN_IF_ERROR(txn.Remove(id));
  HASTORE_RETURN_IF_ERROR(store_.Commit(std::move(txn)));
  std::lock_guard lock(mu_);
  handed_out_.erase(id);
  return Status::Ok();
}

size_t DurableQueue::size() const {
  std::lock_guard lock(mu_);
  return waiting_.size() + handed_out_.size();
}

}  // namespace hastore::examples
