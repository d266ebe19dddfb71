#include "hastore/replicated/daemon_config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <xxhash.h>

#include <toml++/toml.h>

#include "hastore/storage/config.h"

namespace hastore::replicated {

namespace {

Status KeyError(std::string_view source, const toml::node& node, const std::string& key, const std::string& message) {
  const toml::source_position at = node.source().begin;
  return Status::InvalidArgument(std::string(source) + ":" + std::to_string(at.line) + ": " + key + ": " + message);
}

Status ReadUnsigned(std::string_view source, const toml::node& n, const std::string& key, uint64_t lo, uint64_t hi,
                    uint64_t* out) {
  const toml::value<int64_t>* v = n.as_integer();
  if (v == nullptr) return KeyError(source, n, key, "must be an integer");
  if (v->get() < 0 || static_cast<uint64_t>(v->get()) < lo || static_cast<uint64_t>(v->get()) > hi) {
    return KeyError(source, n, key, "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
  }
  *out = static_cast<uint64_t>(v->get());
  return Status::Ok();
}

Status ReadString(std::string_view source, const toml::node& n, const std::string& key, std::string* out) {
  const toml::value<std::string>* v = n.as_string();
  if (v == nullptr) return KeyError(source, n, key, "must be a string");
  *out = v->get();
  return Status::Ok();
}

Status ReadDaemon(std::string_view source, const toml::table& t, const std::string& prefix, DaemonAddress* d) {
  for (const auto& [k, n] : t) {
    const std::string key = prefix + "." + std::string(k.str());
    if (k == "address") {
      HASTORE_RETURN_IF_ERROR(ReadString(source, n, key, &d->address));
    } else if (k == "socket") {
      HASTORE_RETURN_IF_ERROR(ReadString(source, n, key, &d->socket));
    } else if (k == "directory") {
      HASTORE_RETURN_IF_ERROR(ReadString(source, n, key, &d->directory));
    } else {
      return KeyError(source, n, key, "unknown key");
    }
  }
  return Status::Ok();
}

}  // namespace

std::pair<int, int> DaemonConfig::PairOf(const std::string& instance) const {
  const int n = static_cast<int>(daemons.size());
  const int first = static_cast<int>(XXH3_64bits(instance.data(), instance.size()) % static_cast<uint64_t>(n));
  return {first, (first + 1) % n};
}

namespace {

// A TCP port free on `host` now (the kernel's choice); 0 if none could be had.
int FreePort(const std::string& host) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  ::inet_pton(AF_INET, host.c_str(), &a.sin_addr);
  socklen_t len = sizeof(a);
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    port = ntohs(a.sin_port);
  }
  ::close(fd);
  return port;
}

}  // namespace

DaemonConfig LoopbackDaemons(int n, const std::string& directory, uint64_t region_size) {
  DaemonConfig c;
  c.region_size = region_size;
  for (int i = 0; i < n; ++i) {
    const std::string host = "127.0.0." + std::to_string(i + 2);
    c.daemons.push_back(DaemonAddress{host + ":" + std::to_string(FreePort(host)), "", directory + "/rsd" + std::to_string(i)});
  }
  return c;
}

Status Validate(const DaemonConfig& c) {
  if (c.daemons.size() < 2) return Status::InvalidArgument("daemons: at least two daemons are needed (two copies of every commit)");
  if (c.region_size < (1u << 20) || c.region_size % 4096 != 0)
    return Status::InvalidArgument("region_size: must be a multiple of 4096 of at least 1 MiB");
  if (c.max_message_size_percent < 1 || c.max_message_size_percent > 100)
    return Status::InvalidArgument("max_message_size_percent: must be between 1 and 100");
  if (c.space_overload_yellow < 1 || c.space_overload_yellow > c.space_overload_red || c.space_overload_red > 100)
    return Status::InvalidArgument("space_overload_yellow, space_overload_red: need 1 <= yellow <= red <= 100");
  if (c.local_index >= static_cast<int>(c.daemons.size()))
    return Status::InvalidArgument("local_index: " + std::to_string(c.local_index) + " is not a daemon (there are " +
                                   std::to_string(c.daemons.size()) + ")");
  for (size_t i = 0; i < c.daemons.size(); ++i) {
    const std::string at = "daemons[" + std::to_string(i) + "]";
    if (c.daemons[i].address.empty()) return Status::InvalidArgument(at + ".address: missing");
    if (c.daemons[i].directory.empty()) return Status::InvalidArgument(at + ".directory: missing");
    for (size_t j = 0; j < i; ++j) {
      if (c.daemons[j].address == c.daemons[i].address)
        return Status::InvalidArgument(at + ".address: " + c.daemons[i].address + " is daemons[" + std::to_string(j) + "]'s too");
    }
  }
  return Status::Ok();
}

Result<DaemonConfig> ParseDaemonConfig(std::string_view text, std::string_view source) {
  toml::table parsed;
  try {  // Debian's toml++ reports syntax errors as exceptions, which must not cross our API
    parsed = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    return Status::InvalidArgument(std::string(source) + ":" + std::to_string(e.source().begin.line) +
                                   ": TOML syntax error: " + std::string(e.description()));
  }
  DaemonConfig c;
  for (const auto& [k, n] : parsed) {
    const std::string key(k.str());
    uint64_t v = 0;
    if (k == "daemons") {
      const toml::array* list = n.as_array();
      if (list == nullptr) return KeyError(source, n, key, "must be an array of tables ([[daemons]])");
      for (size_t i = 0; i < list->size(); ++i) {
        const toml::table* t = (*list)[i].as_table();
        const std::string at = "daemons[" + std::to_string(i) + "]";
        if (t == nullptr) return KeyError(source, (*list)[i], at, "must be a table");
        DaemonAddress d;
        HASTORE_RETURN_IF_ERROR(ReadDaemon(source, *t, at, &d));
        c.daemons.push_back(std::move(d));
      }
    } else if (k == "region_size") {
      HASTORE_RETURN_IF_ERROR(ReadUnsigned(source, n, key, 1u << 20, 1ull << 40, &c.region_size));
    } else if (k == "max_message_size_percent") {
      HASTORE_RETURN_IF_ERROR(ReadUnsigned(source, n, key, 1, 100, &v));
      c.max_message_size_percent = static_cast<uint32_t>(v);
    } else if (k == "capacity") {
      HASTORE_RETURN_IF_ERROR(ReadUnsigned(source, n, key, 0, UINT64_MAX >> 1, &c.capacity));
    } else if (k == "space_overload_yellow") {
      HASTORE_RETURN_IF_ERROR(ReadUnsigned(source, n, key, 1, 100, &v));
      c.space_overload_yellow = static_cast<uint32_t>(v);
    } else if (k == "space_overload_red") {
      HASTORE_RETURN_IF_ERROR(ReadUnsigned(source, n, key, 1, 100, &v));
      c.space_overload_red = static_cast<uint32_t>(v);
    } else if (k == "flush_interval_ms") {
      HASTORE_RETURN_IF_ERROR(ReadUnsigned(source, n, key, 1, 3600000, &c.flush_interval_ms));
    } else if (k == "local_index") {
      HASTORE_RETURN_IF_ERROR(ReadUnsigned(source, n, key, 0, 1023, &v));
      c.local_index = static_cast<int>(v);
    } else {
      return KeyError(source, n, key, "unknown key");
    }
  }
  Status s = Validate(c);
  if (!s.ok()) return Status::InvalidArgument(std::string(source) + ": " + s.message());
  return c;
}

Result<DaemonConfig> LoadDaemonConfig(const std::string& path) {
  Result<std::string> text = ReadTextFile(path);
  if (!text.ok()) return text.status();
  return ParseDaemonConfig(*text, path);
}

}  // namespace hastore::replicated
