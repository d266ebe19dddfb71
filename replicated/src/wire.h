// The replication protocol's messages (replicated/FORMAT.md): a frame is the length of its
// body, an XXH3-64 of the body and the body; a body is an operation, a request id and the
// operation's fields, little-endian. MessageWriter builds a body, MessageReader takes one apart
// and fails (kCorruption) rather than read past its end.
#pragma once

#include <cstdint>
#include <initializer_list>
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
  // Bare fields (a reply's payload, a catalogue entry).
  MessageWriter() = default;
  // A body: the operation and request id, then the fields that follow.
  MessageWriter(Op op, uint64_t id);
  MessageWriter& U8(uint8_t v);
  MessageWriter& U32(uint32_t v);
  MessageWriter& U64(uint64_t v);
  MessageWriter& Str(std::string_view s);  // u32 length, then the bytes
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
  size_t remaining() const { return rest_.size(); }

 private:
  Result<std::string_view> Take(size_t n);
  std::string_view rest_;
};

// The header of a frame whose body is `parts`, joined (they are sent as they are, not copied
// into one string).
std::string FrameHeader(std::initializer_list<std::string_view> parts);
// Checks a frame's header against its body: kCorruption when the checksum differs.
Status CheckFrame(const char* header, std::string_view body, std::string_view from);
// The body length a frame header announces.
uint32_t FrameBodyLength(const char* header);

// The start of a reply's body: its id, the status (code, then message); the operation's reply
// fields follow when the status is Ok.
MessageWriter ReplyHead(uint64_t id, const Status& status);

// A reply as received: the daemon's status and, after it, the reply fields.
class Reply {
 public:
  // kCorruption when `body` is not a reply.
  static Result<Reply> Parse(std::string body);
  const Status& status() const { return status_; }
  MessageReader payload() const { return MessageReader(std::string_view(body_).substr(payload_at_)); }

 private:
  Reply(std::string body, Status status, size_t payload_at)
      : body_(std::move(body)), status_(std::move(status)), payload_at_(payload_at) {}
  std::string body_;
  Status status_;
  size_t payload_at_;
};

}  // namespace hastore::replicated
