// AWS Signature Version 4 for S3 GETs made with the temporary (federated) credentials that
// Keboola hands out with an export file. Follows "Authenticating Requests: Using the
// Authorization Header" of the Amazon S3 API reference.
#pragma once

#include <ctime>
#include <string>
#include <utility>
#include <vector>

#include "keboola/client/storage_client.hpp"

namespace da::connectors::keboola {

struct SigV4Request {
  std::string method = "GET";
  std::string host;  // as sent in the Host header (with :port when not the default)
  std::string path;  // unencoded, starting with '/'
  std::vector<std::pair<std::string, std::string>> query;  // unencoded
  // Headers to sign besides host, x-amz-date, x-amz-content-sha256 and x-amz-security-token.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string payload_hash = "UNSIGNED-PAYLOAD";
  std::string region;
  std::string service = "s3";
  std::time_t time = 0;
};

// The headers to send: Authorization, x-amz-date, x-amz-content-sha256 and, with a session
// token, x-amz-security-token (Host is left to the HTTP client).
std::vector<std::pair<std::string, std::string>> sign_v4(const SigV4Request& request,
                                                         const AwsCredentials& credentials);

}  // namespace da::connectors::keboola
