// A file compiled into the binary by cmake/EmbedFiles.cmake.
#pragma once

#include <cstddef>

namespace da::web {

struct EmbeddedFile {
  const char* path;  // relative to its folder, "/"-separated
  const unsigned char* data;
  std::size_t size;
};

extern const EmbeddedFile kTemplateFiles[];
extern const std::size_t kTemplateFiles_count;
extern const EmbeddedFile kStaticFiles[];
extern const std::size_t kStaticFiles_count;

}  // namespace da::web
