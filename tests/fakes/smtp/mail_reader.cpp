#include "fakes/smtp/mail_reader.hpp"

#include <regex>

#include "da/common/crypto.hpp"
#include "da/common/strings.hpp"

namespace da::fakes {

std::string Mail::header(std::string_view name) const {
  for (const auto& [key, value] : headers)
    if (to_lower(key) == to_lower(name)) return value;
  return "";
}

Mail parse_mail(const std::string& data) {
  Mail mail;
  auto end = data.find("\r\n\r\n");
  for (const std::string& line : split(data.substr(0, end), '\n')) {
    std::string text = line.substr(0, line.size() - (line.ends_with('\r') ? 1 : 0));
    if (!text.empty() && (text[0] == ' ' || text[0] == '\t')) {
      mail.headers.back().second += text;  // folded continuation
      continue;
    }
    auto colon = text.find(':');
    mail.headers.emplace_back(text.substr(0, colon), std::string(trim(text.substr(colon + 1))));
  }
  mail.body = end == std::string::npos ? "" : data.substr(end + 4);
  return mail;
}

std::string base64_decode(std::string_view text) {
  std::string url;
  for (char c : text) {
    if (c == '\r' || c == '\n') continue;
    url.push_back(c == '+' ? '-' : c == '/' ? '_' : c);
  }
  return base64url_decode(url).value_or("(not base64)");
}

// Decodes a header made of RFC 2047 B-encoded UTF-8 words (or returns it unchanged).
std::string decode_words(const std::string& value) {
  static const std::regex kWord(R"(=\?UTF-8\?B\?([A-Za-z0-9+/=]*)\?=)");
  if (value.find("=?") == std::string::npos) return value;
  std::string out;
  for (std::sregex_iterator it(value.begin(), value.end(), kWord), end; it != end; ++it)
    out += base64_decode((*it)[1].str());
  return out;
}

// The decoded body of a single-part mail or of the part with `content_type` in a multipart one.
std::string decoded_part(const Mail& mail, std::string_view content_type) {
  if (mail.header("Content-Type").rfind(content_type, 0) == 0)
    return mail.header("Content-Transfer-Encoding") == "base64" ? base64_decode(mail.body)
                                                                : "(not base64 encoded)";
  std::smatch match;
  std::string type = mail.header("Content-Type");
  if (!std::regex_search(type, match, std::regex(R"(boundary="([^"]+)\")"))) return "(no boundary)";
  std::string delimiter = "--" + match[1].str();
  for (const std::string& part : split(replace_all(mail.body, delimiter, "\x1f"), '\x1f')) {
    if (part.size() < 2 || part.rfind("--", 0) == 0) continue;
    Mail inner = parse_mail(part.substr(2));
    if (inner.header("Content-Type").rfind(content_type, 0) == 0)
      return decoded_part(inner, content_type);
  }
  return "(no " + std::string(content_type) + " part)";
}

}  // namespace da::fakes
