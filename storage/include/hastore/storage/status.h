// Status and Result<T>: errors as values across the public API.
//
// A Status is one shared pointer; OK carries no allocation. Every non-OK status has a code and a
// message that names what was involved (file and offset, key, handle, lease). Nothing in the
// public API throws.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace hastore {

enum class StatusCode : uint8_t {
  kOk = 0,
  kInvalidArgument,  // bad input: nothing was changed
  kNotFound,         // a handle, file or key that does not exist
  kCorruption,       // stored data fails its checksum or format rules
  kIOError,          // the OS refused an operation
  kFenced,           // a newer owner holds the instance; outcome of in-flight commits is unknown
  kLocked,           // another process holds the instance
  kFailed,           // the instance is in the failed state after an I/O error; close and reopen
  kClosed,           // the instance was closed
  kTooLarge,         // a record or transaction over the configured maximum
  kNotSupported,
  kOutcomeUnknown,   // a commit was sent but its answer was lost (the database went away): it may or may not be durable
};

std::string_view ToString(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() noexcept = default;
  Status(StatusCode code, std::string message);

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status IOError(std::string m) { return {StatusCode::kIOError, std::move(m)}; }
  static Status Fenced(std::string m) { return {StatusCode::kFenced, std::move(m)}; }
  static Status Locked(std::string m) { return {StatusCode::kLocked, std::move(m)}; }
  static Status Failed(std::string m) { return {StatusCode::kFailed, std::move(m)}; }
  static Status Closed(std::string m) { return {StatusCode::kClosed, std::move(m)}; }
  static Status TooLarge(std::string m) { return {StatusCode::kTooLarge, std::move(m)}; }
  static Status NotSupported(std::string m) { return {StatusCode::kNotSupported, std::move(m)}; }
  static Status OutcomeUnknown(std::string m) { return {StatusCode::kOutcomeUnknown, std::move(m)}; }
  // An OS error: "<what>: <strerror(err)>".
  static Status FromErrno(std::string what, int err);

  bool ok() const { return rep_ == nullptr; }
  StatusCode code() const { return rep_ ? rep_->code : StatusCode::kOk; }
  const std::string& message() const;
  // "<code>: <message>", or "OK".
  std::string ToString() const;

  // For a commit: true when the commit may or may not have become durable (fenced, or its
  // database commit was sent and the answer lost). The caller must not assume either outcome.
  bool outcome_unknown() const { return code() == StatusCode::kFenced || code() == StatusCode::kOutcomeUnknown; }

 private:
  struct Rep {
    StatusCode code;
    std::string message;
  };
  std::shared_ptr<const Rep> rep_;  // null for OK; shared so copies are cheap
};

// A value or an error. `ok()` must be checked before `value()`.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}  // NOLINT: must not be OK

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  // By value, so `for (auto& x : f().value())` does not outlive the temporary it came from.
  T value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T operator*() && { return std::move(*this).value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace hastore

// Early return of a non-OK status: HASTORE_RETURN_IF_ERROR(file->sync());
#define HASTORE_RETURN_IF_ERROR(expr)        \
  do {                                       \
    ::hastore::Status _st = (expr);          \
    if (!_st.ok()) return _st;               \
  } while (0)
