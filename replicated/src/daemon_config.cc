#include "hastore/replicated/daemon_config.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <openssl/rand.h>

#include "hastore/storage/checksum.h"
#include "hastore/storage/config.h"
#include "hastore/storage/secret_file.h"
#include "hastore/storage/toml_reader.h"
#include "handshake.h"

namespace hastore::replicated {

namespace {

Status ReadDaemon(const TomlReader& r, const toml::table& t, const std::string& prefix, DaemonAddress* d) {
  return ForEachTomlKey(r, t, prefix, [&](std::string_view k, const toml::node& n, const std::string& key) -> Status {
    if (k == "address") return r.String(n, key, &d->address);
    if (k == "socket") return r.String(n, key, &d->socket);
    if (k == "directory") return r.String(n, key, &d->directory);
    return Status::NotFound(key);
  });
}

}  // namespace

std::pair<int, int> DaemonConfig::PairOf(const std::string& instance) const {
  const int n = static_cast<int>(daemons.size());
  const int first = static_cast<int>(Checksum(instance) % static_cast<uint64_t>(n));
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

// A fresh random key in `path`, mode 600; kept in memory too, should the file not be made
// (Daemon::Start needs only auth_key; a configuration written for another process names the file).
std::string MakeKeyFile(const std::string& path) {
  std::string key(kMinAuthKeyBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), static_cast<int>(key.size())) != 1) std::abort();
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd >= 0) {
    (void)!::write(fd, key.data(), key.size());
    ::close(fd);
  }
  return key;
}

}  // namespace

DaemonConfig LoopbackDaemons(int n, const std::string& directory, uint64_t region_size) {
  DaemonConfig c;
  c.region_size = region_size;
  c.auth_key_file = directory + "/rsd.key";
  c.auth_key = MakeKeyFile(c.auth_key_file);
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
  if (c.auth_key_file.empty()) {
    return Status::InvalidArgument("auth_key_file: missing: the daemons authenticate every peer and client with the key in "
                                   "this file (make one: head -c 32 /dev/urandom > rsd.key; chmod 600 rsd.key)");
  }
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
  Result<toml::table> parsed = ParseTomlDocument(text, source);
  if (!parsed.ok()) return parsed.status();
  const TomlReader r(source);
  DaemonConfig c;
  HASTORE_RETURN_IF_ERROR(ForEachTomlKey(r, *parsed, "", [&](std::string_view k, const toml::node& n, const std::string& key) -> Status {
    if (k == "region_size") return r.Unsigned(n, key, 1 << 20, int64_t{1} << 40, &c.region_size);
    if (k == "max_message_size_percent") return r.Unsigned(n, key, 1, 100, &c.max_message_size_percent);
    if (k == "capacity") return r.Unsigned(n, key, 0, INT64_MAX, &c.capacity);
    if (k == "space_overload_yellow") return r.Unsigned(n, key, 1, 100, &c.space_overload_yellow);
    if (k == "space_overload_red") return r.Unsigned(n, key, 1, 100, &c.space_overload_red);
    if (k == "flush_interval_ms") return r.Unsigned(n, key, 1, 3600000, &c.flush_interval_ms);
    if (k == "local_index") return r.Unsigned(n, key, 0, 1023, &c.local_index);
    if (k == "auth_key_file") return r.String(n, key, &c.auth_key_file);
    if (k != "daemons") return Status::NotFound(key);
    const toml::array* list = n.as_array();
    if (list == nullptr) return r.At(n, key, "expected an array of tables ([[daemons]]), got " + TomlReader::TypeName(n));
    for (size_t i = 0; i < list->size(); ++i) {
      const std::string at = "daemons[" + std::to_string(i) + "]";
      Status error;
      const toml::table* t = r.Table((*list)[i], at, &error);
      if (t == nullptr) return error;
      DaemonAddress d;
      HASTORE_RETURN_IF_ERROR(ReadDaemon(r, *t, at, &d));
      c.daemons.push_back(std::move(d));
    }
    return Status::Ok();
  }));
  Status s = Validate(c);
  if (!s.ok()) return Status::InvalidArgument(std::string(source) + ": " + s.message());
  return c;
}

std::string FormatDaemonConfig(const DaemonConfig& c) {
  const auto number = [](uint64_t v) { return static_cast<int64_t>(v); };
  toml::table t{{"region_size", number(c.region_size)},
                {"max_message_size_percent", number(c.max_message_size_percent)},
                {"capacity", number(c.capacity)},
                {"space_overload_yellow", number(c.space_overload_yellow)},
                {"space_overload_red", number(c.space_overload_red)},
                {"flush_interval_ms", number(c.flush_interval_ms)}};
  if (c.local_index >= 0) t.insert("local_index", c.local_index);
  t.insert("auth_key_file", c.auth_key_file);
  toml::array daemons;
  for (const DaemonAddress& d : c.daemons) {
    toml::table entry{{"address", d.address}, {"directory", d.directory}};
    if (!d.socket.empty()) entry.insert("socket", d.socket);
    daemons.push_back(std::move(entry));
  }
  t.insert("daemons", std::move(daemons));
  std::ostringstream out;
  out << t << '\n';
  return out.str();
}

Status LoadAuthKey(DaemonConfig* config) {
  Result<std::string> key = ReadSecretFile(config->auth_key_file, "authentication key file");
  if (!key.ok()) return key.status();
  if (key->size() < kMinAuthKeyBytes) {
    return Status::InvalidArgument("authentication key file " + config->auth_key_file + " holds " + std::to_string(key->size()) +
                                   " bytes; at least " + std::to_string(kMinAuthKeyBytes) +
                                   " are needed (head -c 32 /dev/urandom > " + config->auth_key_file + ")");
  }
  config->auth_key = std::move(*key);
  return Status::Ok();
}

Result<DaemonConfig> LoadDaemonConfig(const std::string& path, const std::string& key_file) {
  Result<std::string> text = ReadTextFile(path);
  if (!text.ok()) return text.status();
  Result<DaemonConfig> c = ParseDaemonConfig(*text, path);
  if (!c.ok()) return c.status();
  if (!key_file.empty()) {
    c->auth_key_file = key_file;
  } else if (!std::filesystem::path(c->auth_key_file).is_absolute()) {
    c->auth_key_file = (std::filesystem::path(path).parent_path() / c->auth_key_file).string();
  }
  Status s = LoadAuthKey(&*c);
  if (!s.ok()) return Status(s.code(), path + ": " + s.message());
  return c;
}

}  // namespace hastore::replicated
