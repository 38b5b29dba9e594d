// Private to src/docs: the built-in CLAUDE.md template.
#pragma once

namespace da::docs {

extern const char* const kDefaultClaudeMdTemplate;

}  // namespace da::docs
