// Reading mail captured by SmtpSink: headers (unfolded), RFC 2047 words and MIME parts.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace da::fakes {

struct Mail {
  std::vector<std::pair<std::string, std::string>> headers;  // unfolded
  std::string body;
  std::string header(std::string_view name) const;
};

Mail parse_mail(const std::string& data);
// Standard base64 with line breaks; "(not base64)" when it is not.
std::string base64_decode(std::string_view text);
// Decodes a header made of RFC 2047 B-encoded UTF-8 words (or returns it unchanged).
std::string decode_words(const std::string& value);
// The decoded body of a single-part mail or of the part with `content_type` in a multipart one.
std::string decoded_part(const Mail& mail, std::string_view content_type);

}  // namespace da::fakes
