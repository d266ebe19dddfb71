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

// The outcome contract (DESIGN §3): every code a commit can return is in exactly one of two
// classes, the same on every kind of store.
//  - not applied: nothing of the transaction is stored or can ever become visible, on this
//    owner or a later one; it was refused before any of it was written or sent. Resend it (to
//    the new owner, after a reopen, or corrected).
//  - unknown: some of it may have reached the disk, the database or a daemon; recovery decides
//    whether it is visible. Settle it by reading (or with a commit key) before resending.
// Status::not_applied() and Status::outcome_unknown() tell the class; the class of each code is
// given below and never depends on the message.
enum class StatusCode : uint8_t {
  kOk = 0,
  kInvalidArgument,  // not applied: bad input (a connection, a record); nothing was changed
  kNotFound,         // not applied: a handle, file or key that does not exist
  kCorruption,       // unknown: stored data fails its checksum or format rules
  kIOError,          // unknown: the OS refused an operation (a commit reports kFailed instead)
  kFenced,           // unknown: a newer owner took the instance after this commit was written or sent
  kLocked,           // not applied: another process holds the instance
  kFailed,           // unknown: a write or sync of this commit failed (the instance is failed now; close and reopen)
  kClosed,           // not applied: the instance was closed
  kTooLarge,         // not applied: a record or transaction over the configured maximum
  kNotSupported,     // not applied
  kOutcomeUnknown,   // unknown: a commit was sent but its answer was lost (the database went away)
  kNotApplied,       // not applied: refused before anything was written or sent (the instance had failed or
                     // been fenced already, its writes were not allowed, the database refused it before
                     // COMMIT); the message says why
};
inline constexpr StatusCode kLastStatusCode = StatusCode::kNotApplied;

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
  static Status NotApplied(std::string m) { return {StatusCode::kNotApplied, std::move(m)}; }
  // A commit refused because of `why` (the instance's failure, fence or guard) before anything
  // of it was written or sent: `why` itself when its code already means "not applied"
  // (kClosed, ...), otherwise kNotApplied with why's code and message in the message.
  static Status NotAppliedBecause(const Status& why);
  // An OS error: "<what>: <strerror(err)>".
  static Status FromErrno(std::string what, int err);

  bool ok() const { return rep_ == nullptr; }
  StatusCode code() const { return rep_ ? rep_->code : StatusCode::kOk; }
  const std::string& message() const;
  // "<code>: <message>", or "OK".
  std::string ToString() const;

  // For a commit (see StatusCode): exactly one of these is true for every non-OK status.
  // outcome_unknown: it may or may not become visible; the caller must not assume either.
  bool outcome_unknown() const { return IsOutcomeUnknown(code()); }
  // not_applied: nothing of it is or will ever be stored.
  bool not_applied() const { return !ok() && !outcome_unknown(); }
  static constexpr bool IsOutcomeUnknown(StatusCode c) {
    return c == StatusCode::kFenced || c == StatusCode::kFailed || c == StatusCode::kOutcomeUnknown ||
           c == StatusCode::kIOError || c == StatusCode::kCorruption;
  }

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
