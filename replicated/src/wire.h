// The replication protocol's messages (replicated/FORMAT.md): a frame is the length of its
// body, an XXH3-64 of the body and the body; a body is an operation, a request id and the
// operation's fields, little-endian. MessageWriter builds a body, MessageReader takes one apart
// and fails (kCorruption) rather than read past its end.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "hastore/storage/status.h"

namespace hastore::replicated {

enum class Op : uint8_t {
  kHello = 1,
  kClaim = 2,
  kCreate = 3,
  kWrite = 4,     // the APPEND frame: bytes at an offset of a region, under an epoch
  kRead = 5,
  kSize = 6,
  kTruncate = 7,
  kList = 8,
  kRemove = 9,
  kRename = 10,
  kStatus = 11,
  kDrop = 12,     // removes a whole instance (refused while it is claimed by a live session)
  kShutdown = 13,
  kPush = 14,     // daemon to daemon: the whole of an instance, to a partner that missed writes
  kStaleFor = 15, // daemon to daemon: the instances this daemon holds newer than the asker
  kReply = 0x80,
};

// Every body starts with its operation (1 byte) and request id (8 bytes).
inline constexpr size_t kBodyHeaderBytes = 9;
// A frame's fixed header: body length, then XXH3-64 of the body.
inline constexpr size_t kFrameHeaderBytes = 12;
// No body may exceed this (a PUSH of a whole instance is the largest); anything longer is a
// corrupt or hostile length field.
inline constexpr uint32_t kMaxBodyBytes = 1u << 31;

class MessageWriter {
 public:
  MessageWriter(Op op, uint64_t id);
  MessageWriter& U8(uint8_t v);
  MessageWriter& U32(uint32_t v);
  MessageWriter& U64(uint64_t v);
  MessageWriter& Str(std::string_view s);  // u32 length, then the bytes
  // The frame: header then body.
  std::string Frame() const;
  const std::string& body() const { return body_; }

 private:
  std::string body_;
};

class MessageReader {
 public:
  explicit MessageReader(std::string_view body) : rest_(body) {}
  Result<uint8_t> U8();
  Result<uint32_t> U32();
  Result<uint64_t> U64();
  Result<std::string_view> Str();
  bool done() const { return rest_.empty(); }

 private:
  Result<std::string_view> Take(size_t n);
  std::string_view rest_;
};

// The header of a frame whose body is `body`.
std::string FrameHeader(std::string_view body);
// Checks a frame's header against its body: kCorruption when the checksum differs.
Status CheckFrame(const char* header, std::string_view body, std::string_view from);
// The body length a frame header announces.
uint32_t FrameBodyLength(const char* header);

// A reply's status, encoded: code, then message. GetStatus fails only when the reply is
// malformed; the daemon's answer is in `status`.
struct Answered {
  Status status;
};
void PutStatus(MessageWriter& w, const Status& s);
Result<Answered> GetStatus(MessageReader& r);

}  // namespace hastore::replicated
