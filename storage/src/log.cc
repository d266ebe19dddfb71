// The library's logger (log.h).
#include "hastore/storage/log.h"

#include <cstdlib>
#include <optional>
#include <mutex>
#include <string>

#include <spdlog/sinks/null_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

namespace hastore {

namespace {

constexpr char kName[] = "hastore";
constexpr char kPattern[] = "%Y-%m-%d %H:%M:%S.%e %l %n: %v";

std::optional<spdlog::level::level_enum> ParseLevel(std::string_view name) {
  if (name == "warn") return spdlog::level::warn;
  for (int l = spdlog::level::trace; l < spdlog::level::n_levels; ++l) {
    const auto level = static_cast<spdlog::level::level_enum>(l);
    const spdlog::string_view_t known = spdlog::level::to_string_view(level);
    if (name == std::string_view(known.data(), known.size())) return level;
  }
  return std::nullopt;
}

// Only the pointer is guarded; spdlog loggers and their _mt sinks are thread-safe themselves.
struct Current {
  std::mutex mu;
  std::shared_ptr<spdlog::logger> logger;
  spdlog::level::level_enum level = spdlog::level::info;
};

std::shared_ptr<spdlog::logger> WithSink(spdlog::sink_ptr sink, spdlog::level::level_enum level) {
  if (sink == nullptr) sink = std::make_shared<spdlog::sinks::null_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>(kName, std::move(sink));
  logger->set_pattern(kPattern);
  logger->set_level(level);
  logger->flush_on(spdlog::level::trace);  // every line whole on the sink before the call returns
  return logger;
}

Current& State() {
  static Current* current = [] {
    auto* c = new Current;  // never destroyed: threads may log during static destruction
    const char* env = std::getenv("HASTORE_LOG_LEVEL");
    if (env != nullptr && *env != '\0') {
      if (auto level = ParseLevel(env)) c->level = *level;
    }
    c->logger = WithSink(std::make_shared<spdlog::sinks::stderr_sink_mt>(), c->level);
    if (env != nullptr && *env != '\0' && !ParseLevel(env)) {
      c->logger->warn("HASTORE_LOG_LEVEL=\"{}\" is not a level (trace, debug, info, warning, error, critical, off); using info", env);
    }
    return c;
  }();
  return *current;
}

}  // namespace

std::shared_ptr<spdlog::logger> Logger() {
  Current& c = State();
  std::lock_guard lock(c.mu);
  return c.logger;
}

void SetLogSink(spdlog::sink_ptr sink) {
  Current& c = State();
  std::lock_guard lock(c.mu);
  c.logger = WithSink(std::move(sink), c.level);
}

void SetLogger(std::shared_ptr<spdlog::logger> logger) {
  Current& c = State();
  std::lock_guard lock(c.mu);
  c.logger = logger != nullptr ? std::move(logger) : WithSink(std::make_shared<spdlog::sinks::stderr_sink_mt>(), c.level);
}

Status SetLogLevel(std::string_view level) {
  std::optional<spdlog::level::level_enum> parsed = ParseLevel(level);
  if (!parsed) {
    return Status::InvalidArgument("log level \"" + std::string(level) +
                                   "\" is not one of trace, debug, info, warning, error, critical, off");
  }
  Current& c = State();
  std::lock_guard lock(c.mu);
  c.level = *parsed;
  c.logger->set_level(*parsed);
  return Status::Ok();
}

}  // namespace hastore
