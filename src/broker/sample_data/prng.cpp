#include "da/sample_data/prng.hpp"

namespace da::sample_data {

namespace {

uint64_t rotate_left(uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}

}  // namespace

uint64_t splitmix64(uint64_t& state) {
  state += 0x9E3779B97F4A7C15ULL;
  uint64_t z = state;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

Prng::Prng(uint64_t seed, std::string_view stream, uint64_t chunk) {
  uint64_t mix = seed;
  uint64_t s = splitmix64(mix);
  for (unsigned char byte : stream) {
    uint64_t next = s ^ byte;
    s = splitmix64(next);
  }
  uint64_t with_chunk = s ^ chunk;
  s = splitmix64(with_chunk);
  for (uint64_t& word : state_)
    word = splitmix64(s);
}

uint64_t Prng::next() {
  uint64_t result = rotate_left(state_[1] * 5, 7) * 9;
  uint64_t t = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= t;
  state_[3] = rotate_left(state_[3], 45);
  return result;
}

int64_t Prng::uniform_int(int64_t lo, int64_t hi) {
  uint64_t range = static_cast<uint64_t>(hi - lo) + 1;
  if (range == 0) return static_cast<int64_t>(next());  // the full 64-bit range
  uint64_t limit = UINT64_MAX - (UINT64_MAX % range);
  uint64_t value;
  do {
    value = next();
  } while (value >= limit);
  return lo + static_cast<int64_t>(value % range);
}

double Prng::uniform(double lo, double hi) {
  return lo + static_cast<double>(next() >> 11) * 0x1.0p-53 * (hi - lo);
}

size_t Prng::weighted(std::span<const double> weights) {
  double total = 0;
  for (double weight : weights)
    total += weight;
  double target = uniform(0, total);
  double sum = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    sum += weights[i];
    if (target < sum) return i;
  }
  return weights.size() - 1;
}

}  // namespace da::sample_data
