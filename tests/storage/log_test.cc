// The library's logger (log.h): the host decides where its lines go and how many there are, and
// none of them ever reaches stdout. A file store's open logs the I/O engine it chose at info,
// which is the line that used to appear on its host's stdout.
#include "hastore/storage/log.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <sstream>

#include <spdlog/sinks/ostream_sink.h>

#include "common/temp_dir.h"
#include "common/whole_file.h"
#include "hastore/filestore/file_store.h"

namespace hastore::testing {
namespace {

// Opens, uses and closes a file store in dir: the library logs at least the I/O engine line.
void UseAStore(const std::string& dir) {
  StoreConfig config;
  config.name = "logged";
  config.file.directory = dir;
  auto store = OpenFileStore(config, Ownership{0, "log test"});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ASSERT_TRUE((*store)->Close().ok());
}

class LogTest : public ::testing::Test {
 protected:
  void TearDown() override {
    SetLogger(nullptr);
    ASSERT_TRUE(SetLogLevel("info").ok());
  }
  TempDir dir_;
};

TEST_F(LogTest, AHostsSinkGetsTheLibrarysLinesDatedLeveledAndNamed) {
  std::ostringstream captured;
  SetLogSink(std::make_shared<spdlog::sinks::ostream_sink_mt>(captured));
  UseAStore(dir_.path());
  const std::string text = captured.str();
  EXPECT_NE(text.find(" info hastore: logged: I/O engine "), std::string::npos) << text;
  ASSERT_GE(text.size(), 24u);
  EXPECT_EQ(text[4], '-');  // "2026-12-07 04:31:02.123 ..."
  EXPECT_EQ(text[10], ' ');
  EXPECT_EQ(text[19], '.');
}

TEST_F(LogTest, ANullSinkSilencesAndTheLevelFilters) {
  std::ostringstream captured;
  SetLogSink(std::make_shared<spdlog::sinks::ostream_sink_mt>(captured));
  ASSERT_TRUE(SetLogLevel("warning").ok());
  UseAStore(dir_.path());
  EXPECT_EQ(captured.str().find("I/O engine"), std::string::npos) << captured.str();
  Logger()->warn("a warning");
  EXPECT_NE(captured.str().find("warning hastore: a warning"), std::string::npos) << captured.str();

  SetLogSink(nullptr);
  ASSERT_TRUE(SetLogLevel("trace").ok());
  Logger()->error("nobody hears this");
  EXPECT_EQ(captured.str().find("nobody hears this"), std::string::npos);
}

TEST_F(LogTest, AnUnknownLevelIsRefusedAndChangesNothing) {
  std::ostringstream captured;
  SetLogSink(std::make_shared<spdlog::sinks::ostream_sink_mt>(captured));
  Status s = SetLogLevel("loud");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("loud"), std::string::npos) << s.ToString();
  Logger()->info("still at info");
  EXPECT_NE(captured.str().find("still at info"), std::string::npos);
  EXPECT_TRUE(SetLogLevel("warn").ok());  // spdlog's short name is taken too
}

TEST_F(LogTest, TheDefaultLoggerNeverWritesToStdout) {
  ASSERT_TRUE(SetLogLevel("trace").ok());
  const std::string out_path = dir_.path() + "/stdout";
  std::fflush(stdout);
  const int saved = ::dup(1);
  const int file = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT_GE(saved, 0);
  ASSERT_GE(file, 0);
  ASSERT_EQ(::dup2(file, 1), 1);
  ::close(file);
  UseAStore(dir_.path() + "/store");
  Logger()->info("a line of the default logger");
  std::fflush(stdout);
  ASSERT_EQ(::dup2(saved, 1), 1);
  ::close(saved);
  EXPECT_EQ(ReadWholeFile(out_path), "");
}

}  // namespace
}  // namespace hastore::testing
