// The thresholds that decide when compaction runs, runs unthrottled, and holds commits back.
#include "compaction_pressure.h"

#include <gtest/gtest.h>

namespace hastore::filestore {
namespace {

constexpr uint64_t kMiB = uint64_t{1} << 20;

TEST(CompactionPressure, SmallStoresGetThirtyTwoMiBOfSlack) {
  const uint64_t live = 2 * kMiB;  // slack is 32 MiB
  EXPECT_EQ(PressureOf(live, live), CompactionPressure::kNone);
  EXPECT_EQ(PressureOf(live + 32 * kMiB, live), CompactionPressure::kNone);
  EXPECT_EQ(PressureOf(live + 32 * kMiB + 1, live), CompactionPressure::kCompact);
  EXPECT_EQ(PressureOf(live + 64 * kMiB, live), CompactionPressure::kCompact);
  EXPECT_EQ(PressureOf(live + 64 * kMiB + 1, live), CompactionPressure::kUrgent);
  EXPECT_EQ(PressureOf(live + 96 * kMiB, live), CompactionPressure::kUrgent);
  EXPECT_EQ(PressureOf(live + 96 * kMiB + 1, live), CompactionPressure::kStall);
}

TEST(CompactionPressure, LargeStoresMayCarryAsMuchGarbageAsLiveData) {
  const uint64_t live = 100 * kMiB;  // slack is the live bytes
  EXPECT_EQ(PressureOf(2 * live, live), CompactionPressure::kNone);
  EXPECT_EQ(PressureOf(2 * live + 1, live), CompactionPressure::kCompact);
  EXPECT_EQ(PressureOf(3 * live + 1, live), CompactionPressure::kUrgent);
  EXPECT_EQ(PressureOf(4 * live + 1, live), CompactionPressure::kStall);
}

TEST(CompactionPressure, AnEmptyStoreStillCompactsItsGarbage) {
  EXPECT_EQ(PressureOf(0, 0), CompactionPressure::kNone);
  EXPECT_EQ(PressureOf(33 * kMiB, 0), CompactionPressure::kCompact);
  EXPECT_EQ(PressureOf(200 * kMiB, 0), CompactionPressure::kStall);
}

}  // namespace
}  // namespace hastore::filestore
