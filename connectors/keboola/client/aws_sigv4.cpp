#include "keboola/client/aws_sigv4.hpp"

#include <algorithm>

#include "da/common/crypto.hpp"
#include "da/common/hash.hpp"
#include "da/common/strings.hpp"
#include "da/net/http_client.hpp"

namespace da::connectors::keboola {

namespace {

std::string hex(const std::string& raw) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(raw.size() * 2);
  for (unsigned char c : raw) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

std::string format_time(std::time_t time, const char* format) {
  std::tm parts{};
  gmtime_r(&time, &parts);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, format, &parts);
  return buffer;
}

std::string collapse_spaces(std::string_view value) {
  std::string out;
  bool space = false;
  for (char c : trim(value)) {
    if (c == ' ') {
      if (!space) out.push_back(c);
      space = true;
    } else {
      out.push_back(c);
      space = false;
    }
  }
  return out;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> sign_v4(const SigV4Request& request,
                                                         const AwsCredentials& credentials) {
  std::string amz_date = format_time(request.time, "%Y%m%dT%H%M%SZ");
  std::string date = amz_date.substr(0, 8);
  std::vector<std::pair<std::string, std::string>> sent{
      {"x-amz-date", amz_date}, {"x-amz-content-sha256", request.payload_hash}};
  if (!credentials.session_token.empty())
    sent.emplace_back("x-amz-security-token", credentials.session_token);

  std::vector<std::pair<std::string, std::string>> signed_headers{{"host", request.host}};
  for (const auto& [name, value] : request.headers)
    signed_headers.emplace_back(to_lower(name), collapse_spaces(value));
  for (const auto& [name, value] : sent)
    signed_headers.emplace_back(name, value);
  std::sort(signed_headers.begin(), signed_headers.end());

  std::vector<std::pair<std::string, std::string>> query;
  for (const auto& [name, value] : request.query)
    query.emplace_back(net::url_encode(name), net::url_encode(value));
  std::sort(query.begin(), query.end());
  std::vector<std::string> query_parts;
  for (const auto& [name, value] : query)
    query_parts.push_back(name + "=" + value);

  std::string canonical_headers, header_names;
  for (const auto& [name, value] : signed_headers) {
    canonical_headers += name + ":" + value + "\n";
    header_names += (header_names.empty() ? "" : ";") + name;
  }
  std::string canonical_request = request.method + "\n" + net::url_encode_path(request.path) +
                                  "\n" + join(query_parts, "&") + "\n" + canonical_headers + "\n" +
                                  header_names + "\n" + request.payload_hash;
  std::string scope = date + "/" + request.region + "/" + request.service + "/aws4_request";
  std::string string_to_sign =
      "AWS4-HMAC-SHA256\n" + amz_date + "\n" + scope + "\n" + sha256_hex(canonical_request);
  std::string key = hmac_sha256("AWS4" + credentials.secret_access_key, date);
  key = hmac_sha256(key, request.region);
  key = hmac_sha256(key, request.service);
  key = hmac_sha256(key, "aws4_request");
  std::string signature = hex(hmac_sha256(key, string_to_sign));

  sent.insert(
      sent.begin(),
      {"Authorization", "AWS4-HMAC-SHA256 Credential=" + credentials.access_key_id + "/" + scope +
                            ", SignedHeaders=" + header_names + ", Signature=" + signature});
  return sent;
}

}  // namespace da::connectors::keboola
