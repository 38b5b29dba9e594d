// The signature of a Jira webhook: hex HMAC-SHA256 of the raw body under the webhook secret,
// sent in X-Hub-Signature-256 (or X-Hub-Signature), optionally as "sha256=<hex>".
#pragma once

#include <string>
#include <string_view>

namespace da::connectors::jira {

// "sha256=<lower-case hex>": what Jira sends for `body` signed with `secret`.
std::string webhook_signature(std::string_view secret, std::string_view body);

// Whether `presented` (a header's value, with or without "sha256=", hex in either case) is the
// signature of `body` under `secret`. The comparison takes the same time wherever the values
// differ. An empty secret matches nothing.
bool signature_matches(std::string_view secret, std::string_view body, std::string_view presented);

}  // namespace da::connectors::jira
