// The one place where names and paths become SQL text. Values go through prepared-statement
// parameters instead; these are for what SQL cannot parameterise (identifiers, COPY targets).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace da::duck {

// "name" with embedded quotes doubled. Throws Error(kData) on an empty name or a NUL byte.
std::string quote_identifier(std::string_view name);
// 'text' with embedded quotes doubled. Throws Error(kData) on a NUL byte.
std::string quote_literal(std::string_view text);
std::string quote_path(const std::filesystem::path& path);

}  // namespace da::duck
