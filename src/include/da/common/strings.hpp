// Small string helpers the standard library lacks.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace da {

std::string_view trim(std::string_view text);
std::string to_lower(std::string_view text);
std::string to_upper(std::string_view text);
// Splits on `separator`; keeps empty parts.
std::vector<std::string> split(std::string_view text, char separator);
// Splits on `separator`, trims each part and drops the empty ones ("a, b,," -> {"a","b"}).
std::vector<std::string> split_trimmed(std::string_view text, char separator);
std::string join(const std::vector<std::string>& parts, std::string_view separator);
std::string replace_all(std::string_view text, std::string_view from, std::string_view to);
// True if `name` is a C-style identifier (letters, digits, underscores; no leading digit), as
// environment variable names are.
bool is_identifier(std::string_view name);
// True if `text` is valid UTF-8.
bool is_valid_utf8(std::string_view text);
// "2GB", "512 MiB", "1.5gb", "1000000" (bytes) -> bytes; KB/MB/GB/TB are powers of 1000 and
// KiB/MiB/GiB/TiB powers of 1024, as in DuckDB. nullopt if `text` is not such a size.
std::optional<uint64_t> parse_byte_size(std::string_view text);

}  // namespace da
