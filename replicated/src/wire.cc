#include "wire.h"

#include <cstring>

#include "hastore/storage/checksum.h"

namespace hastore::replicated {

namespace {

template <typename T>
void PutLe(std::string& out, T v) {
  char b[sizeof(T)];
  for (size_t i = 0; i < sizeof(T); ++i) b[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  out.append(b, sizeof(T));
}

template <typename T>
T GetLe(const char* p) {
  T v = 0;
  for (size_t i = 0; i < sizeof(T); ++i) v |= static_cast<T>(static_cast<uint8_t>(p[i])) << (8 * i);
  return v;
}

}  // namespace

MessageWriter::MessageWriter(Op op, uint64_t id) {
  U8(static_cast<uint8_t>(op));
  U64(id);
}

MessageWriter& MessageWriter::U8(uint8_t v) {
  body_.push_back(static_cast<char>(v));
  return *this;
}
MessageWriter& MessageWriter::U32(uint32_t v) {
  PutLe(body_, v);
  return *this;
}
MessageWriter& MessageWriter::U64(uint64_t v) {
  PutLe(body_, v);
  return *this;
}
MessageWriter& MessageWriter::Str(std::string_view s) {
  U32(static_cast<uint32_t>(s.size()));
  body_.append(s);
  return *this;
}

std::string FrameHeader(std::initializer_list<std::string_view> parts) {
  ChecksumStream checksum;
  size_t length = 0;
  for (std::string_view p : parts) {
    checksum.Update(p.data(), p.size());
    length += p.size();
  }
  std::string h;
  PutLe(h, static_cast<uint32_t>(length));
  PutLe(h, checksum.Digest());
  return h;
}

uint32_t FrameBodyLength(const char* header) { return GetLe<uint32_t>(header); }

Status CheckFrame(const char* header, std::string_view body, std::string_view from) {
  const uint64_t want = GetLe<uint64_t>(header + 4);
  const uint64_t got = Checksum(body);
  if (want == got) return Status::Ok();
  return Status::Corruption("frame of " + std::to_string(body.size()) + " bytes from " + std::string(from) +
                            " fails its checksum: refused");
}

Result<std::string_view> MessageReader::Take(size_t n) {
  if (rest_.size() < n) return Status::Corruption("message ends " + std::to_string(n - rest_.size()) + " bytes early");
  std::string_view out = rest_.substr(0, n);
  rest_.remove_prefix(n);
  return out;
}

Result<uint8_t> MessageReader::U8() {
  Result<std::string_view> b = Take(1);
  if (!b.ok()) return b.status();
  return static_cast<uint8_t>((*b)[0]);
}
Result<uint32_t> MessageReader::U32() {
  Result<std::string_view> b = Take(4);
  if (!b.ok()) return b.status();
  return GetLe<uint32_t>(b->data());
}
Result<uint64_t> MessageReader::U64() {
  Result<std::string_view> b = Take(8);
  if (!b.ok()) return b.status();
  return GetLe<uint64_t>(b->data());
}
Result<std::string_view> MessageReader::Str() {
  Result<uint32_t> n = U32();
  if (!n.ok()) return n.status();
  return Take(*n);
}

MessageWriter ReplyHead(uint64_t id, const Status& status) {
  MessageWriter w(Op::kReply, id);
  w.U8(static_cast<uint8_t>(status.code())).Str(status.message());
  return w;
}

Result<Reply> Reply::Parse(std::string body) {
  MessageReader r(body);
  Result<uint8_t> op = r.U8();
  Result<uint64_t> id = r.U64();
  Result<uint8_t> code = r.U8();
  Result<std::string_view> message = r.Str();
  if (!op.ok() || !id.ok() || !code.ok() || !message.ok() || *op != static_cast<uint8_t>(Op::kReply)) {
    return Status::Corruption("a reply that is not one");
  }
  if (*code > static_cast<uint8_t>(kLastStatusCode)) return Status::Corruption("unknown status code " + std::to_string(*code));
  Status status = *code == 0 ? Status::Ok() : Status(static_cast<StatusCode>(*code), std::string(*message));
  const size_t payload_at = body.size() - r.remaining();
  return Reply(std::move(body), std::move(status), payload_at);
}

}  // namespace hastore::replicated
