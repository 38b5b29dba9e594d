// The JSON answer to a saved change that may move what analysts receive: it carries the
// warning of an rsync filter refresh that failed (PortalHost::selection_changed).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "da/web/response.hpp"

namespace da::web {

// {"ok", "message" (the warning if any), "filters_refreshed", ["warning"]}.
Response saved(const std::string& message, const std::optional<std::string>& warning);
// {"ok", "version", "filters_refreshed", ["warning"]}: for versioned changes (the registry).
Response saved_version(int64_t version, const std::optional<std::string>& warning);

}  // namespace da::web
