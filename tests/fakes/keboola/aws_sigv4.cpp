#include "fakes/keboola/aws_sigv4.hpp"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <map>

#include "da/common/crypto.hpp"
#include "da/common/strings.hpp"

namespace da::fakes {

namespace {

constexpr auto kAllowedSkew = std::chrono::minutes(15);

// SigV4's URI encoding: everything but unreserved characters, '/' kept in paths.
std::string aws_encode(std::string_view text, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' ||
        (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string canonical_query(std::string_view raw_query) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const std::string& part : split(raw_query, '&')) {
    if (part.empty()) continue;
    auto equals = part.find('=');
    std::string_view view(part);
    pairs.emplace_back(aws_encode(percent_decode(view.substr(0, equals), false), false),
                       equals == std::string::npos
                           ? ""
                           : aws_encode(percent_decode(view.substr(equals + 1), false), false));
  }
  std::sort(pairs.begin(), pairs.end());
  std::vector<std::string> joined;
  for (const auto& [name, value] : pairs)
    joined.push_back(name + "=" + value);
  return join(joined, "&");
}

std::string collapse_spaces(std::string_view value) {
  std::string out;
  for (char c : trim(value)) {
    if (c == ' ' && !out.empty() && out.back() == ' ') continue;
    out += c;
  }
  return out;
}

std::optional<std::chrono::system_clock::time_point> parse_amz_date(std::string_view text) {
  std::tm tm{};
  std::string copy(text);
  const char* end = strptime(copy.c_str(), "%Y%m%dT%H%M%SZ", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

struct AuthorizationHeader {
  std::string access_key_id, date, region, service, terminator;
  std::vector<std::string> signed_headers;
  std::string signature;
};

std::optional<AuthorizationHeader> parse_authorization(std::string_view value) {
  constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256 ";
  if (!value.starts_with(kAlgorithm)) return std::nullopt;
  std::map<std::string, std::string> parts;
  for (const std::string& part : split_trimmed(value.substr(kAlgorithm.size()), ',')) {
    auto equals = part.find('=');
    if (equals == std::string::npos) return std::nullopt;
    parts[std::string(trim(part.substr(0, equals)))] = std::string(trim(part.substr(equals + 1)));
  }
  std::vector<std::string> scope = split(parts["Credential"], '/');
  if (scope.size() != 5 || parts["SignedHeaders"].empty() || parts["Signature"].empty())
    return std::nullopt;
  return AuthorizationHeader{scope[0],          scope[1], scope[2],
                             scope[3],          scope[4], split(parts["SignedHeaders"], ';'),
                             parts["Signature"]};
}

std::optional<S3Refusal> check_headers(const WireRequest& request,
                                       const AuthorizationHeader& authorization,
                                       const AwsCredentials& credentials,
                                       std::chrono::system_clock::time_point now) {
  if (authorization.access_key_id != credentials.access_key_id)
    return S3Refusal{"InvalidAccessKeyId",
                     "The AWS Access Key Id you provided does not exist in our records."};
  if (authorization.region != credentials.region || authorization.service != "s3" ||
      authorization.terminator != "aws4_request")
    return S3Refusal{"AuthorizationHeaderMalformed",
                     "The authorization header is malformed; the region '" + authorization.region +
                         "' or service '" + authorization.service + "' is wrong; expecting '" +
                         credentials.region + "' and 's3'"};
  auto amz_date = parse_amz_date(request.header("x-amz-date"));
  if (!amz_date || request.header("x-amz-date").substr(0, 8) != authorization.date)
    return S3Refusal{"AccessDenied", "x-amz-date is missing or does not match the credential date"};
  if (*amz_date < now - kAllowedSkew || *amz_date > now + kAllowedSkew)
    return S3Refusal{"RequestTimeTooSkewed",
                     "The difference between the request time and the current time is too large."};
  std::string payload_hash = request.header("x-amz-content-sha256");
  if (payload_hash != "UNSIGNED-PAYLOAD" && payload_hash != lower_hex(sha256_raw(request.body)))
    return S3Refusal{"XAmzContentSHA256Mismatch",
                     "x-amz-content-sha256 must be UNSIGNED-PAYLOAD or the body's SHA-256"};
  if (!credentials.session_token.empty() &&
      request.header("x-amz-security-token") != credentials.session_token)
    return S3Refusal{"InvalidToken", "The provided token is malformed or otherwise invalid."};
  const auto& signed_headers = authorization.signed_headers;
  auto is_signed = [&](const std::string& name) {
    return std::find(signed_headers.begin(), signed_headers.end(), name) != signed_headers.end();
  };
  if (!is_signed("host")) return S3Refusal{"AccessDenied", "The host header must be signed"};
  for (const auto& [name, value] : request.headers)
    if (name.starts_with("x-amz-") && !is_signed(name))
      return S3Refusal{"AccessDenied",
                       "There were headers present in the request which were "
                       "not signed: " +
                           name};
  return std::nullopt;
}

}  // namespace

std::string lower_hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

std::string sigv4_canonical_request(std::string_view method, std::string_view raw_path,
                                    std::string_view raw_query, const WireFields& headers,
                                    const std::vector<std::string>& signed_headers,
                                    std::string_view payload_hash) {
  std::string canonical = std::string(method) + "\n" +
                          aws_encode(percent_decode(raw_path, false), true) + "\n" +
                          canonical_query(raw_query) + "\n";
  for (const std::string& name : signed_headers) {
    std::vector<std::string> values;
    for (const auto& [key, value] : headers)
      if (key == name) values.push_back(collapse_spaces(value));
    canonical += name + ":" + join(values, ",") + "\n";
  }
  canonical += "\n" + join(signed_headers, ";") + "\n" + std::string(payload_hash);
  return canonical;
}

std::string sigv4_string_to_sign(std::string_view amz_date, std::string_view scope,
                                 std::string_view canonical_request) {
  return "AWS4-HMAC-SHA256\n" + std::string(amz_date) + "\n" + std::string(scope) + "\n" +
         lower_hex(sha256_raw(canonical_request));
}

std::string sigv4_signature(std::string_view secret, std::string_view date, std::string_view region,
                            std::string_view service, std::string_view string_to_sign) {
  std::string key = hmac_sha256("AWS4" + std::string(secret), date);
  key = hmac_sha256(key, region);
  key = hmac_sha256(key, service);
  key = hmac_sha256(key, "aws4_request");
  return lower_hex(hmac_sha256(key, string_to_sign));
}

std::optional<S3Refusal> verify_sigv4(const WireRequest& request, const AwsCredentials& credentials,
                                      std::chrono::system_clock::time_point now) {
  auto authorization = parse_authorization(request.header("authorization"));
  if (!authorization)
    return S3Refusal{"AccessDenied", "An AWS4-HMAC-SHA256 Authorization header is required"};
  if (auto refusal = check_headers(request, *authorization, credentials, now)) return refusal;
  std::string canonical = sigv4_canonical_request(request.method, request.path, request.query,
                                                  request.headers, authorization->signed_headers,
                                                  request.header("x-amz-content-sha256"));
  std::string scope = authorization->date + "/" + credentials.region + "/s3/aws4_request";
  std::string expected =
      sigv4_signature(credentials.secret_access_key, authorization->date, credentials.region, "s3",
                      sigv4_string_to_sign(request.header("x-amz-date"), scope, canonical));
  if (!constant_time_equal(expected, authorization->signature))
    return S3Refusal{"SignatureDoesNotMatch",
                     "The request signature we calculated does not match the signature you "
                     "provided. Check your key and signing method."};
  return std::nullopt;
}

}  // namespace da::fakes
