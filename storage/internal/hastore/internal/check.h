// HASTORE_CHECK: an invariant that must hold in every build. Unlike assert it stays in release
// builds: when the condition is false the process prints file:line, the condition and the
// message to stderr and aborts, because going on would write or acknowledge on a state the
// design says cannot exist.
//
// For what must never happen, never for what the outside world can send: bytes read from disk
// or a socket, and configuration, are validated first and refused with a Status; a check after
// that validation states what the validation guarantees.
//
//   HASTORE_CHECK(end <= buf.size(), "batch of " + std::to_string(n) + " bytes");
//
// The message is built only when the check fails. Private to the libraries (storage/internal
// is on their include path, never installed).
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace hastore::internal {

[[noreturn]] inline void CheckFailed(const char* file, int line, const char* condition, std::string_view message) {
  std::fprintf(stderr, "%s:%d: HASTORE_CHECK(%s) failed: %.*s\n", file, line, condition, static_cast<int>(message.size()),
               message.data());
  std::fflush(stderr);
  std::abort();
}

}  // namespace hastore::internal

#define HASTORE_CHECK(condition, message)                                             \
  do {                                                                                \
    if (!(condition)) [[unlikely]] {                                                  \
      ::hastore::internal::CheckFailed(__FILE__, __LINE__, #condition, (message));    \
    }                                                                                 \
  } while (0)
