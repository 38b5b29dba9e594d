// Messages the pages show after a redirect, chosen by a code in the URL so that no text
// comes from the URL itself.
#pragma once

#include <string>

namespace da::web {

// The message of `code` ("logged_out", "key_saved", ...), or "" for an unknown code.
std::string notice_text(const std::string& code);

}  // namespace da::web
