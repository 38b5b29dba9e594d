// Where an attachment is stored below raw/jira/attachments/, the same on the broker and on
// analysts' machines. The original used Jira's file name as is, so "../../x" escaped the folder.
#pragma once

#include <string>
#include <string_view>

namespace da::connectors::jira {

// A name that is one harmless path component: the last component of `name` ('/' and '\\'
// both separate), without control characters, NUL or leading dots; "" becomes "file"; at most
// 200 bytes, never cut inside a UTF-8 character.
std::string sanitise_file_name(std::string_view name);

// "<issue number without its last 3 digits, or 0>/<last 3 digits, zero-padded>/<id>_<name>"
// with the name sanitised: SUPPORT-14991, 10001, "a b.png" -> "14/991/10001_a b.png";
// SUPPORT-7 -> "0/007/...". Throws Error(kData) naming the key or id when the key does not end
// in "-<digits>" or the id is not digits.
std::string hierarchical_path(std::string_view issue_key, std::string_view attachment_id,
                              std::string_view file_name);

}  // namespace da::connectors::jira
