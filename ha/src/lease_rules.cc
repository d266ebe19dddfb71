#include "lease_rules.h"

#include "hastore/storage/names.h"

namespace hastore::ha {

namespace {

void PutFixed(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint64_t GetFixed(std::string_view in, size_t at, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= uint64_t{static_cast<uint8_t>(in[at + i])} << (8 * i);
  return v;
}

constexpr size_t kFixedBytes = 8 + 8 + 2;

std::string Holder(const LeaseRow& row) { return row.server + " (session " + row.session + ")"; }

}  // namespace

std::string EncodeLeaseRow(const LeaseRow& row) {
  std::string out;
  out.reserve(kFixedBytes + row.server.size() + row.session.size());
  PutFixed(out, row.epoch, 8);
  PutFixed(out, static_cast<uint64_t>(row.end_ms), 8);
  PutFixed(out, row.server.size(), 2);
  out += row.server;
  out += row.session;
  return out;
}

Result<LeaseRow> DecodeLeaseRow(std::string_view bytes, std::string_view name) {
  const size_t server_size = bytes.size() >= kFixedBytes ? GetFixed(bytes, 16, 2) : 0;
  if (bytes.size() < kFixedBytes || bytes.size() < kFixedBytes + server_size)
    return Status::Corruption("lease " + std::string(name) + ": stored row of " + std::to_string(bytes.size()) +
                              " bytes is too short");
  LeaseRow row;
  row.epoch = GetFixed(bytes, 0, 8);
  row.end_ms = static_cast<int64_t>(GetFixed(bytes, 8, 8));
  row.server = std::string(bytes.substr(kFixedBytes, server_size));
  row.session = std::string(bytes.substr(kFixedBytes + server_size));
  return row;
}

Status CheckLeaseRequest(std::string_view name, const LeaseHolder& holder) {
  if (name.empty()) return Status::InvalidArgument("a lease needs a name");
  HASTORE_RETURN_IF_ERROR(ValidateName("server name of lease " + std::string(name), holder.server));
  if (holder.session.empty()) return Status::InvalidArgument("lease " + std::string(name) + ": the holder has no session");
  return Status::Ok();
}

Result<LeaseRow> AcquireRow(std::string_view name, const std::optional<LeaseRow>& row, const LeaseHolder& holder,
                            uint64_t ttl_ms, uint64_t grace_ms, int64_t now) {
  LeaseRow next = row.value_or(LeaseRow{});
  const bool free = !row || row->server.empty();
  const bool mine = !free && row->server == holder.server && row->session == holder.session;
  const bool live = !free && now < row->end_ms;
  if (mine && live) {  // a renewal: same epoch
    next.end_ms = now + static_cast<int64_t>(ttl_ms);
    return next;
  }
  // Another holder's lease stays untouchable for the grace period past its end, so a holder
  // whose clock runs slow has stopped writing before anyone else starts. Our own expired
  // lease is retaken at once: the new epoch fences whatever the old one still does.
  const bool past_grace = !free && now >= row->end_ms + static_cast<int64_t>(grace_ms);
  if (!free && !mine && !past_grace) {
    const std::string left = live ? std::to_string(row->end_ms - now) + " ms left"
                                  : "expired " + std::to_string(now - row->end_ms) + " ms ago, free in " +
                                        std::to_string(row->end_ms + static_cast<int64_t>(grace_ms) - now) + " ms";
    return Status::Locked("lease " + std::string(name) + " is held by " + Holder(*row) + " at epoch " +
                          std::to_string(row->epoch) + " (" + left + ")");
  }
  next.epoch = (row ? row->epoch : 0) + 1;
  next.end_ms = now + static_cast<int64_t>(ttl_ms);
  next.server = holder.server;
  next.session = holder.session;
  return next;
}

LeaseRow ReleasedRow(const LeaseRow& row) { return LeaseRow{row.epoch, 0, "", ""}; }

bool HeldBy(const LeaseRow& row, const Lease& lease) {
  return row.epoch == lease.epoch && row.session == lease.holder.session && row.server == lease.holder.server;
}

LeaseView ViewOf(std::string_view name, const LeaseRow& row, int64_t now) {
  return LeaseView{std::string(name), LeaseHolder{row.server, row.session}, row.epoch,
                   row.server.empty() ? 0 : row.end_ms - now};
}

Status CheckGuard(const Lease& guard, const std::optional<LeaseRow>& row, int64_t now, std::string_view key) {
  if (row && HeldBy(*row, guard) && now < row->end_ms) return Status::Ok();
  return Status::Fenced("record " + std::string(key) + " not written: lease " + guard.name + " at epoch " +
                        std::to_string(guard.epoch) + " is no longer held by " + guard.holder.server);
}

}  // namespace hastore::ha
