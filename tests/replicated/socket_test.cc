// Receiving frames (replicated/src/socket.h): a frame's announced length is the peer's word.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <thread>

#include "socket.h"
#include "wire.h"

namespace hastore::replicated {
namespace {

long PeakResidentKb() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

struct SocketPair {
  SocketPair() {
    int fds[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
    receiver = std::make_unique<Socket>(fds[0], "test peer");
    sender = std::make_unique<Socket>(fds[1], "test receiver");
  }
  std::unique_ptr<Socket> receiver, sender;
};

// 12 bytes announcing 2 GiB, then a few, then the peer closes: found out without 2 GiB.
TEST(SocketReceive, AnAnnouncedLengthTakesNoMemoryBeforeItsBytesArrive) {
  SocketPair pair;
  char header[kFrameHeaderBytes] = {};
  const uint32_t announced = kMaxBodyBytes;
  std::memcpy(header, &announced, sizeof announced);
  ASSERT_TRUE(pair.sender->Send(std::string_view(header, sizeof header)).ok());
  ASSERT_TRUE(pair.sender->Send(std::string(100, 'x')).ok());
  pair.sender.reset();
  const long before = PeakResidentKb();
  Result<std::string> body = pair.receiver->Receive();
  ASSERT_FALSE(body.ok());
  EXPECT_EQ(body.status().code(), StatusCode::kIOError) << body.status().ToString();
  EXPECT_LT(PeakResidentKb() - before, 64 * 1024) << "KiB taken for a frame that never came";
}

TEST(SocketReceive, AFrameLargerThanOneChunkArrivesWhole) {
  SocketPair pair;
  std::string big(3u << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 7 + i / 4096);
  std::thread send([&] { EXPECT_TRUE(pair.sender->SendFrame({big}).ok()); });
  Result<std::string> body = pair.receiver->Receive();
  send.join();
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  EXPECT_TRUE(*body == big);
}

}  // namespace
}  // namespace hastore::replicated
