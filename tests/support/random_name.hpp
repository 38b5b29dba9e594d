// Names for machine-wide things a test creates (Linux accounts, emails): ctest runs tests in
// parallel processes, so each needs its own.
#pragma once

#include <random>
#include <string>

namespace da::testing {

// `prefix` followed by `count` random lower-case letters.
inline std::string random_name(const std::string& prefix, int count = 6) {
  std::random_device seed;
  std::mt19937 random(seed());
  std::uniform_int_distribution<int> letter('a', 'z');
  std::string name = prefix;
  for (int i = 0; i < count; ++i)
    name += static_cast<char>(letter(random));
  return name;
}

}  // namespace da::testing
