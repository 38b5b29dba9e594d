#include "da/sample_data/prng.hpp"

#include <set>

#include <gtest/gtest.h>

namespace da::sample_data {
namespace {

// Reference outputs: a change here changes every generated dataset, so it must be deliberate.
TEST(Prng, GivesTheDocumentedSequence) {
  uint64_t state = 0;
  EXPECT_EQ(splitmix64(state), 0xE220A8397B1DCDAFULL);
  EXPECT_EQ(splitmix64(state), 0x6E789E6AA1B965F4ULL);
  Prng random(42, "customers");
  EXPECT_EQ(random.next(), 0x08022E5EF297AC86ULL);
  EXPECT_EQ(random.next(), 0x947717C69AEE0875ULL);
  EXPECT_EQ(Prng(42, "web_sessions", 3).next(), 0xDBD4FD2D48A18E57ULL);
}

TEST(Prng, StreamsAndChunksAreIndependent) {
  std::set<uint64_t> firsts;
  for (const char* stream : {"customers", "orders", "web_sessions"}) {
    for (uint64_t chunk = 0; chunk < 4; ++chunk)
      firsts.insert(Prng(42, stream, chunk).next());
  }
  firsts.insert(Prng(43, "customers").next());
  EXPECT_EQ(firsts.size(), 13u);
}

TEST(Prng, UniformIntegersCoverTheRangeEvenly) {
  Prng random(7, "test");
  int counts[6] = {};
  for (int i = 0; i < 60000; ++i) {
    int64_t value = random.uniform_int(1, 6);
    ASSERT_GE(value, 1);
    ASSERT_LE(value, 6);
    ++counts[value - 1];
  }
  for (int count : counts)
    EXPECT_NEAR(count, 10000, 400);
}

TEST(Prng, WeightedChoiceFollowsTheWeights) {
  Prng random(7, "weights");
  const double weights[] = {0.6, 0.3, 0.1};
  int counts[3] = {};
  for (int i = 0; i < 100000; ++i)
    ++counts[random.weighted(weights)];
  EXPECT_NEAR(counts[0], 60000, 800);
  EXPECT_NEAR(counts[1], 30000, 800);
  EXPECT_NEAR(counts[2], 10000, 500);
  for (int i = 0; i < 1000; ++i) {
    double value = random.uniform(2.5, 3.5);
    ASSERT_GE(value, 2.5);
    ASSERT_LT(value, 3.5);
  }
}

}  // namespace
}  // namespace da::sample_data
