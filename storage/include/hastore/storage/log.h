// The library's logger: every line hastore's libraries log goes through one spdlog logger named
// "hastore", which the embedding program controls.
//
// By default it writes dated, leveled lines to stderr, never stdout:
//   2026-12-07 04:31:02.123 warning hastore: orders: torn tail of 512 bytes at offset ...
// at the level HASTORE_LOG_LEVEL names when the logger is first used (trace, debug, info,
// warning, error, critical or off; default info). A host replaces where the lines go with
// SetLogSink (its own sink, or nullptr for none) or the whole logger with SetLogger, and sets
// the level with SetLogLevel. All functions are thread-safe; a line being written while the sink
// is replaced goes to the old sink or the new one, whole.
#pragma once

#include <memory>
#include <string_view>

#include <spdlog/logger.h>

#include "hastore/storage/status.h"

namespace hastore {

// The logger to write to. Keep the pointer only for one statement or call: a later SetLogSink
// or SetLogger installs another.
std::shared_ptr<spdlog::logger> Logger();

// Every later line goes to `sink` (null: nowhere), in the same format, at the same level.
void SetLogSink(spdlog::sink_ptr sink);

// Every later line goes to `logger` (its own sinks, format and level). Null restores the
// default (stderr).
void SetLogger(std::shared_ptr<spdlog::logger> logger);

// "trace", "debug", "info", "warning" (or "warn"), "error", "critical" or "off"; anything else
// is kInvalidArgument naming the value, and nothing changes.
Status SetLogLevel(std::string_view level);

}  // namespace hastore
