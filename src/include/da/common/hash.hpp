// Content hashes (OpenSSL).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace da {

// Lower-case hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);
// SHA-256 of data that arrives in pieces (a download being written).
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(std::string_view data);
  // Adds the first `bytes` bytes of `path` (all of it when negative).
  void update_from_file(const std::filesystem::path& path, int64_t bytes = -1);
  // Lower-case hex; the object is spent afterwards.
  std::string hex_digest();

 private:
  struct Context;
  std::unique_ptr<Context> context_;
};

// Lower-case hex SHA-256 of a file's contents, read in blocks.
std::string sha256_file_hex(const std::filesystem::path& path);

}  // namespace da
