// Status and Result<T> are how every error crosses the public API, so their small promises
// (OK is free and silent, codes survive copies, messages read "<code>: <message>") are pinned
// down here.
#include "hastore/storage/status.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace hastore {
namespace {

TEST(StatusTest, OkHasNoCodeAndNoMessage) {
  for (const Status& s : {Status(), Status::Ok(), Status(StatusCode::kOk, "ignored")}) {
    EXPECT_TRUE(s.ok());
    EXPECT_EQ(s.code(), StatusCode::kOk);
    EXPECT_TRUE(s.message().empty());
    EXPECT_EQ(s.ToString(), "OK");
    EXPECT_FALSE(s.outcome_unknown());
  }
}

TEST(StatusTest, EachFactoryGivesItsCodeAndKeepsTheMessage) {
  struct Case {
    Status status;
    StatusCode code;
  };
  const std::vector<Case> cases = {
      {Status::InvalidArgument("m"), StatusCode::kInvalidArgument},
      {Status::NotFound("m"), StatusCode::kNotFound},
      {Status::Corruption("m"), StatusCode::kCorruption},
      {Status::IOError("m"), StatusCode::kIOError},
      {Status::Fenced("m"), StatusCode::kFenced},
      {Status::Locked("m"), StatusCode::kLocked},
      {Status::Failed("m"), StatusCode::kFailed},
      {Status::Closed("m"), StatusCode::kClosed},
      {Status::TooLarge("m"), StatusCode::kTooLarge},
      {Status::NotSupported("m"), StatusCode::kNotSupported},
      {Status::OutcomeUnknown("m"), StatusCode::kOutcomeUnknown},
      {Status::NotApplied("m"), StatusCode::kNotApplied},
  };
  ASSERT_EQ(cases.size(), static_cast<size_t>(kLastStatusCode)) << "a code without a case (and a class) here";
  for (const Case& c : cases) {
    EXPECT_FALSE(c.status.ok()) << ToString(c.code);
    EXPECT_EQ(c.status.code(), c.code);
    EXPECT_EQ(c.status.message(), "m");
    // The outcome contract (status.h): exactly one class per code, fixed here code by code so
    // that a change of class is a deliberate change of this table.
    const bool unknown = c.code == StatusCode::kFenced || c.code == StatusCode::kFailed ||
                         c.code == StatusCode::kOutcomeUnknown || c.code == StatusCode::kIOError ||
                         c.code == StatusCode::kCorruption;
    EXPECT_EQ(c.status.outcome_unknown(), unknown) << ToString(c.code);
    EXPECT_EQ(c.status.not_applied(), !unknown) << ToString(c.code);
  }
}

TEST(StatusTest, ARefusalIsNotAppliedAndSaysWhy) {
  const Status fenced = Status::NotAppliedBecause(Status::Fenced("epoch 3 holds instance q"));
  EXPECT_EQ(fenced.code(), StatusCode::kNotApplied);
  EXPECT_TRUE(fenced.not_applied());
  EXPECT_FALSE(fenced.outcome_unknown());
  EXPECT_NE(fenced.message().find("fenced: epoch 3 holds instance q"), std::string::npos) << fenced.ToString();
  const Status failed = Status::NotAppliedBecause(Status::Failed("sync of q000001.DAT failed"));
  EXPECT_EQ(failed.code(), StatusCode::kNotApplied);
  EXPECT_NE(failed.message().find("sync of q000001.DAT failed"), std::string::npos) << failed.ToString();
  // A reason that is itself "not applied" stays as it is.
  EXPECT_EQ(Status::NotAppliedBecause(Status::Closed("q is closed")).code(), StatusCode::kClosed);
  EXPECT_FALSE(Status::Ok().not_applied());
}

TEST(StatusTest, ToStringIsCodeThenMessage) {
  EXPECT_EQ(Status::NotFound("no file db/a").ToString(), "not found: no file db/a");
  EXPECT_EQ(Status::Corruption("bad crc at offset 12").ToString(), "corruption: bad crc at offset 12");
  EXPECT_EQ(Status::IOError("x").ToString(), "I/O error: x");
}

TEST(StatusTest, EveryCodeHasADistinctName) {
  std::vector<std::string> names;
  for (int c = 0; c <= static_cast<int>(kLastStatusCode); ++c) {
    const std::string name(ToString(static_cast<StatusCode>(c)));
    EXPECT_FALSE(name.empty());
    EXPECT_NE(name, "unknown") << "code " << c;
    for (const std::string& other : names) EXPECT_NE(name, other);
    names.push_back(name);
  }
  EXPECT_EQ(ToString(StatusCode::kOk), "OK");
  EXPECT_EQ(ToString(StatusCode::kLocked), "locked");
}

TEST(StatusTest, FromErrnoIsAnIOErrorNamingWhatAndTheOsReason) {
  Status s = Status::FromErrno("open db/a", ENOENT);
  EXPECT_EQ(s.code(), StatusCode::kIOError);
  EXPECT_EQ(s.message(), std::string("open db/a: ") + std::strerror(ENOENT));
}

TEST(StatusTest, CopiesKeepCodeAndMessage) {
  Status original = Status::Locked("held by pid 7");
  Status copy = original;
  EXPECT_EQ(copy.code(), StatusCode::kLocked);
  EXPECT_EQ(copy.message(), "held by pid 7");
  original = Status::Ok();  // reassigning the source leaves the copy alone
  EXPECT_EQ(copy.message(), "held by pid 7");
  EXPECT_TRUE(original.ok());
}

TEST(ResultTest, HoldsAValue) {
  Result<int> r(42);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), 42);
  EXPECT_EQ(*r, 42);
  EXPECT_TRUE(r.status().ok());
}

TEST(ResultTest, HoldsAnError) {
  Result<int> r(Status::NotFound("no key 9"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r.status().message(), "no key 9");
}

TEST(ResultTest, MoveOnlyValuesCanBeTakenOut) {
  Result<std::unique_ptr<std::string>> r(std::make_unique<std::string>("payload"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->get()->size(), 7u);
  std::unique_ptr<std::string> taken = std::move(r).value();
  ASSERT_NE(taken, nullptr);
  EXPECT_EQ(*taken, "payload");
}

Status FailsWhen(bool fail) { return fail ? Status::Corruption("inner") : Status::Ok(); }

// Counts how far it got, to show where HASTORE_RETURN_IF_ERROR left.
Status TwoSteps(bool fail_first, int* steps) {
  *steps = 0;
  HASTORE_RETURN_IF_ERROR(FailsWhen(fail_first));
  ++*steps;
  HASTORE_RETURN_IF_ERROR(FailsWhen(false));
  ++*steps;
  return Status::Ok();
}

Result<int> ValueAfterStep(bool fail) {
  HASTORE_RETURN_IF_ERROR(FailsWhen(fail));
  return 7;
}

TEST(ReturnIfErrorTest, ReturnsTheErrorEarly) {
  int steps = -1;
  Status s = TwoSteps(true, &steps);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_EQ(s.message(), "inner");
  EXPECT_EQ(steps, 0);
}

TEST(ReturnIfErrorTest, ContinuesOnOk) {
  int steps = -1;
  EXPECT_TRUE(TwoSteps(false, &steps).ok());
  EXPECT_EQ(steps, 2);
}

TEST(ReturnIfErrorTest, WorksInFunctionsReturningResult) {
  Result<int> good = ValueAfterStep(false);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(good.value(), 7);
  Result<int> bad = ValueAfterStep(true);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace hastore
