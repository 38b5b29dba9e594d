// Private to src/broker/catalog_bundle: the built-in CLAUDE.md template.
#pragma once

namespace da::catalog_bundle {

extern const char* const kDefaultClaudeMdTemplate;

}  // namespace da::catalog_bundle
