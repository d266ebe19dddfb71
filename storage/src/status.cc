#include "hastore/storage/status.h"

#include <cstring>

namespace hastore {

std::string_view ToString(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "OK";
    case StatusCode::kInvalidArgument: return "invalid argument";
    case StatusCode::kNotFound: return "not found";
    case StatusCode::kCorruption: return "corruption";
    case StatusCode::kIOError: return "I/O error";
    case StatusCode::kFenced: return "fenced";
    case StatusCode::kLocked: return "locked";
    case StatusCode::kFailed: return "failed";
    case StatusCode::kClosed: return "closed";
    case StatusCode::kTooLarge: return "too large";
    case StatusCode::kNotSupported: return "not supported";
    case StatusCode::kOutcomeUnknown: return "outcome unknown";
    case StatusCode::kNotApplied: return "not applied";
  }
  return "unknown";
}

Status::Status(StatusCode code, std::string message)
    : rep_(code == StatusCode::kOk ? nullptr : std::make_shared<const Rep>(Rep{code, std::move(message)})) {}

Status Status::FromErrno(std::string what, int err) {
  what += ": ";
  what += std::strerror(err);
  return Status(StatusCode::kIOError, std::move(what));
}

Status Status::NotAppliedBecause(const Status& why) {
  if (why.not_applied()) return why;
  return NotApplied(why.ToString() + " (this commit was refused before anything of it was written)");
}

const std::string& Status::message() const {
  static const std::string kEmpty;
  return rep_ ? rep_->message : kEmpty;
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string s(hastore::ToString(rep_->code));
  s += ": ";
  s += rep_->message;
  return s;
}

}  // namespace hastore
