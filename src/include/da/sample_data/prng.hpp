// The sample data's random numbers: deterministic everywhere, so the same seed gives the same
// bytes on every machine and standard library (std:: distributions differ between them).
//
// Specification (also in docs/sample-data.md):
//   splitmix64(x):  x += 0x9E3779B97F4A7C15; z = x;
//                   z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9; z = (z ^ (z >> 27)) *
//                   0x94D049BB133111EB; return z ^ (z >> 31)
//   stream seed:    s = splitmix64(seed); for each byte b of the stream name: s = splitmix64(s ^
//   b);
//                   s = splitmix64(s ^ chunk)
//   generator:      xoshiro256** with its four words taken from successive splitmix64 outputs of s
//   uniform_int(lo, hi):  lo + (next() mod (hi - lo + 1)), rejecting next() values at or above
//                   the largest multiple of the range (so no value is favoured)
//   uniform(lo, hi): lo + (next() >> 11) * 2^-53 * (hi - lo)
//   weighted(w):    the first i with uniform(0, sum w) < w[0] + ... + w[i]
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace da::sample_data {

uint64_t splitmix64(uint64_t& state);

class Prng {
 public:
  // The generator of one stream (a table) and chunk of a run seeded with `seed`.
  Prng(uint64_t seed, std::string_view stream, uint64_t chunk = 0);

  uint64_t next();
  // Inclusive range.
  int64_t uniform_int(int64_t lo, int64_t hi);
  double uniform(double lo, double hi);
  bool chance(double probability) { return uniform(0, 1) < probability; }
  size_t weighted(std::span<const double> weights);
  template <typename T, size_t N>
  const T& pick(const T (&items)[N]) {
    return items[static_cast<size_t>(uniform_int(0, static_cast<int64_t>(N) - 1))];
  }

 private:
  uint64_t state_[4];
};

}  // namespace da::sample_data
