// Content hashes (OpenSSL).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace da {

// Lower-case hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);
// Lower-case hex SHA-256 of a file's contents, read in blocks.
std::string sha256_file_hex(const std::filesystem::path& path);

}  // namespace da
