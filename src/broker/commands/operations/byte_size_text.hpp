// Sizes for people: "512 B", "3.4 MB", "1.2 GB" (powers of 1000, as df -H).
#pragma once

#include <cstdint>
#include <string>

namespace da::commands::operations {

std::string byte_size_text(uint64_t bytes);

}  // namespace da::commands::operations
