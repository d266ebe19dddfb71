#include "wire.h"

#include <xxhash.h>

#include <cstring>

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

std::string MessageWriter::Frame() const { return FrameHeader(body_) + body_; }

std::string FrameHeader(std::string_view body) {
  std::string h;
  PutLe(h, static_cast<uint32_t>(body.size()));
  PutLe(h, static_cast<uint64_t>(XXH3_64bits(body.data(), body.size())));
  return h;
}

uint32_t FrameBodyLength(const char* header) { return GetLe<uint32_t>(header); }

Status CheckFrame(const char* header, std::string_view body, std::string_view from) {
  const uint64_t want = GetLe<uint64_t>(header + 4);
  const uint64_t got = XXH3_64bits(body.data(), body.size());
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

void PutStatus(MessageWriter& w, const Status& s) {
  w.U8(static_cast<uint8_t>(s.code())).Str(s.message());
}

Result<Answered> GetStatus(MessageReader& r) {
  Result<uint8_t> code = r.U8();
  if (!code.ok()) return code.status();
  Result<std::string_view> message = r.Str();
  if (!message.ok()) return message.status();
  if (*code > static_cast<uint8_t>(StatusCode::kOutcomeUnknown)) return Status::Corruption("unknown status code " + std::to_string(*code));
  if (*code == 0) return Answered{Status::Ok()};
  return Answered{Status(static_cast<StatusCode>(*code), std::string(*message))};
}

}  // namespace hastore::replicated
