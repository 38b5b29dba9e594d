// Verification of AWS Signature Version 4 "Authorization" headers as S3 checks them
// (https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html), for the
// fake object store: the canonical request, the string to sign and the signing-key chain are
// computed from what arrived on the wire and compared with the client's signature.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fakes/keboola/wire_server.hpp"

namespace da::fakes {

struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // "" when the credentials are not temporary
  std::string region;
};

// Why S3 refuses a request: an S3 error code (SignatureDoesNotMatch, AccessDenied,
// InvalidAccessKeyId, RequestTimeTooSkewed, InvalidToken, AuthorizationHeaderMalformed) and a
// message.
struct S3Refusal {
  std::string code;
  std::string message;
};

// The canonical request of the SigV4 spec; `raw_path` and `raw_query` as sent (percent-encoded),
// `signed_headers` lower-case names.
std::string sigv4_canonical_request(std::string_view method, std::string_view raw_path,
                                    std::string_view raw_query, const WireFields& headers,
                                    const std::vector<std::string>& signed_headers,
                                    std::string_view payload_hash);
// The lower-case hex signature of `string_to_sign` under the key derived from the secret,
// the yyyymmdd `date`, region and service.
std::string sigv4_signature(std::string_view secret, std::string_view date, std::string_view region,
                            std::string_view service, std::string_view string_to_sign);
std::string sigv4_string_to_sign(std::string_view amz_date, std::string_view scope,
                                 std::string_view canonical_request);
std::string lower_hex(std::string_view bytes);

// nullopt when the request is signed with `credentials` for service s3, within 15 minutes of
// `now`; the refusal otherwise.
std::optional<S3Refusal> verify_sigv4(const WireRequest& request, const AwsCredentials& credentials,
                                      std::chrono::system_clock::time_point now);

}  // namespace da::fakes
