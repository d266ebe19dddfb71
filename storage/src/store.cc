#include "hastore/storage/store.h"

#include <memory>

#include "hastore/storage/names.h"

namespace hastore {

Status Transaction::CheckRecordSize(size_t size) const {
  if (size <= store_->MaxRecordSize()) return Status::Ok();
  return Status::TooLarge("record of " + std::to_string(size) + " bytes is over " + std::string(store_->RecordLimitName()) + " " +
                          std::to_string(store_->MaxRecordSize()));
}

void Transaction::AddCreate(const Connection& connection, Handle handle, std::string_view data) {
  ops_.push_back(Op{OpKind::kCreate, handle, connection.id, std::string(data)});
  data_bytes_ += data.size();
}

Status Transaction::CheckCreate(const Connection& connection, size_t size) const {
  if (store_ == nullptr) return Status::InvalidArgument("transaction was not begun on a store");
  if (!store_->KnowsConnection(connection.id)) {
    return Status::InvalidArgument("connection '" + connection.name + "' (id " + std::to_string(connection.id) +
                                   ") was not opened on instance " + store_->instance());
  }
  return CheckRecordSize(size);
}

Result<Handle> Transaction::Create(const Connection& connection, std::string_view data) {
  HASTORE_RETURN_IF_ERROR(CheckCreate(connection, data.size()));
  const Handle h = store_->NewHandle();
  AddCreate(connection, h, data);
  return h;
}

Status Transaction::Restore(const Connection& connection, Handle handle, std::string_view data) {
  HASTORE_RETURN_IF_ERROR(CheckCreate(connection, data.size()));
  if (handle == 0) return Status::InvalidArgument("handle 0 is not a record's handle");
  if (store_->Contains(handle)) return Status::InvalidArgument("handle " + std::to_string(handle) + " is in use");
  store_->ReserveHandle(handle);
  AddCreate(connection, handle, data);
  return Status::Ok();
}

Status Transaction::Update(Handle handle, std::string_view data) {
  if (store_ == nullptr) return Status::InvalidArgument("transaction was not begun on a store");
  HASTORE_RETURN_IF_ERROR(CheckRecordSize(data.size()));
  if (!store_->Contains(handle)) return Status::NotFound("no record with handle " + std::to_string(handle));
  ops_.push_back(Op{OpKind::kUpdate, handle, 0, std::string(data)});
  data_bytes_ += data.size();
  return Status::Ok();
}

Status Transaction::Remove(Handle handle) {
  if (store_ == nullptr) return Status::InvalidArgument("transaction was not begun on a store");
  if (!store_->Contains(handle)) return Status::NotFound("no record with handle " + std::to_string(handle));
  ops_.push_back(Op{OpKind::kRemove, handle, 0, {}});
  return Status::Ok();
}

std::future<Status> Store::CommitFuture(Transaction txn) {
  auto promise = std::make_shared<std::promise<Status>>();
  std::future<Status> f = promise->get_future();
  CommitAsync(std::move(txn), [promise](Status s) { promise->set_value(std::move(s)); });
  return f;
}

}  // namespace hastore
