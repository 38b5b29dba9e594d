// `.env` files: KEY=VALUE lines that never override the real environment.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

namespace da {

// Parses `KEY=VALUE` lines: blank lines and `#` comments are skipped, an optional `export `
// prefix is allowed, values may be single-quoted (literal) or double-quoted (with the
// escapes \n \t \" and backslash), unquoted values end at " #".
// Throws Error(kConfig) naming `source` and the line.
std::map<std::string, std::string> parse_dotenv(std::string_view text, const std::string& source);

// The variables of a .env file; a missing file gives none. The caller layers them under the
// real environment (see config::InstanceConfigLoader), so they never override it.
std::map<std::string, std::string> read_dotenv_file(const std::filesystem::path& path);

}  // namespace da
