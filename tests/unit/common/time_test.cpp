#include "da/common/time.hpp"

#include <gtest/gtest.h>

namespace da {
namespace {

TEST(Time, FormatsUtcWithMicrosecondsAndZ) {
  EXPECT_EQ(format_iso8601(from_epoch_micros(0)), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(format_iso8601(from_epoch_micros(1'700'000'000'123'456)),
            "2023-11-14T22:13:20.123456Z");
}

TEST(Time, ParsesDatesTimesAndOffsets) {
  EXPECT_EQ(to_epoch_micros(*parse_iso8601("2023-11-14T22:13:20.123456Z")), 1'700'000'000'123'456);
  EXPECT_EQ(to_epoch_micros(*parse_iso8601("2023-11-14 22:13:20")), 1'700'000'000'000'000);
  EXPECT_EQ(to_epoch_micros(*parse_iso8601("2023-11-15T00:13:20+02:00")), 1'700'000'000'000'000);
  EXPECT_EQ(to_epoch_micros(*parse_iso8601("1970-01-02")), 86'400'000'000);
  EXPECT_FALSE(parse_iso8601("2023-02-30"));
  EXPECT_FALSE(parse_iso8601("yesterday"));
  EXPECT_FALSE(parse_iso8601("2023-11-14T25:00"));
}

TEST(Time, RoundTrips) {
  Timestamp now = now_utc();
  EXPECT_EQ(*parse_iso8601(format_iso8601(now)), now);
}

}  // namespace
}  // namespace da
