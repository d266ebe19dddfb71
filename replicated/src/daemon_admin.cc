#include "hastore/replicated/daemon_admin.h"

#include "daemon_client.h"

namespace hastore::replicated {

namespace {

constexpr uint64_t kAdminTimeoutMs = 3000;

Result<Reply> Ask(const DaemonConfig& config, int index, const MessageWriter& request) {
  return AskDaemon(config, config.daemons[index].address, request, kAdminTimeoutMs);
}

Status ReadInstance(MessageReader& r, HeldInstanceInfo* out) {
  Result<std::string_view> name = r.Str();
  Result<uint64_t> epoch = r.U64();
  Result<std::string_view> session = r.Str();
  Result<uint8_t> stale = r.U8();
  Result<uint32_t> live = r.U32();
  Result<uint32_t> files = r.U32();
  if (!name.ok() || !epoch.ok() || !session.ok() || !stale.ok() || !live.ok() || !files.ok())
    return Status::Corruption("a STATUS reply ends early");
  out->instance = std::string(*name);
  out->epoch = *epoch;
  out->session = std::string(*session);
  out->partner_stale = *stale != 0;
  out->live_claims = *live;
  for (uint32_t i = 0; i < *files; ++i) {
    Result<std::string_view> file = r.Str();
    Result<uint64_t> bytes = r.U64();
    if (!file.ok() || !bytes.ok()) return Status::Corruption("a STATUS reply ends early");
    out->files.push_back(RegionInfo{std::string(*file), *bytes});
  }
  return Status::Ok();
}

}  // namespace

DaemonInfo QueryDaemon(const DaemonConfig& config, int index) {
  DaemonInfo info;
  info.index = index;
  info.address = config.daemons[index].address;
  Result<Reply> reply = Ask(config, index, MessageWriter(Op::kStatus, 0));
  if (!reply.ok()) {
    info.reachable = reply.status();
    return info;
  }
  MessageReader r = reply->payload();
  Result<uint32_t> idx = r.U32();
  Result<uint8_t> serving = r.U8();
  Result<uint64_t> used = r.U64();
  Result<uint64_t> capacity = r.U64();
  Result<uint32_t> n = r.U32();
  if (!idx.ok() || !serving.ok() || !used.ok() || !capacity.ok() || !n.ok()) {
    info.reachable = Status::Corruption("a STATUS reply from " + info.address + " ends early");
    return info;
  }
  info.serving = *serving != 0;
  info.used_bytes = *used;
  info.capacity_bytes = *capacity;
  for (uint32_t i = 0; i < *n; ++i) {
    HeldInstanceInfo h;
    if (Status s = ReadInstance(r, &h); !s.ok()) {
      info.reachable = s;
      return info;
    }
    info.instances.push_back(std::move(h));
  }
  return info;
}

Status RemoveInstance(const DaemonConfig& config, const std::string& instance) {
  DaemonClient client(config, instance);  // the primary first, the peer when it is away
  HASTORE_RETURN_IF_ERROR(client.Connect());
  MessageWriter w(Op::kDrop, 0);
  w.U8(0).Str(instance);
  return client.Call(w).status();
}

Status ShutdownDaemon(const DaemonConfig& config, int index, bool force) {
  MessageWriter w(Op::kShutdown, 0);
  w.U8(force ? 1 : 0);
  return Ask(config, index, w).status();
}

}  // namespace hastore::replicated
