#include "keboola/client/aws_sigv4.hpp"
#include <gtest/gtest.h>

namespace da::connectors::keboola {
namespace {

std::string header(const std::vector<std::pair<std::string, std::string>>& headers,
                   const std::string& name) {
  for (const auto& [key, value] : headers)
    if (key == name) return value;
  return {};
}

// The "GET Object" example of the Amazon S3 API reference (Signature Version 4, single chunk).
TEST(AwsSigV4, MatchesTheS3DocumentationExample) {
  SigV4Request request;
  request.host = "examplebucket.s3.amazonaws.com";
  request.path = "/test.txt";
  request.headers = {{"Range", "bytes=0-9"}};
  request.payload_hash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  request.region = "us-east-1";
  request.time = 1369353600;  // 20130524T000000Z
  auto headers =
      sign_v4(request, {"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""});
  std::string authorization = header(headers, "Authorization");
  EXPECT_NE(
      authorization.find("Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request"),
      std::string::npos);
  EXPECT_NE(authorization.find("SignedHeaders=host;range;x-amz-content-sha256;x-amz-date"),
            std::string::npos);
  EXPECT_NE(authorization.find(
                "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"),
            std::string::npos)
      << authorization;
  EXPECT_EQ(header(headers, "x-amz-date"), "20130524T000000Z");
  EXPECT_EQ(header(headers, "x-amz-security-token"), "");
}

TEST(AwsSigV4, SignsTheSessionTokenOfFederatedCredentials) {
  SigV4Request request;
  request.host = "bucket.s3.eu-central-1.amazonaws.com";
  request.path = "/exp/part 1.gz";
  request.region = "eu-central-1";
  request.time = 1369353600;
  auto headers = sign_v4(request, {"ASIA", "secret", "session-token"});
  EXPECT_EQ(header(headers, "x-amz-security-token"), "session-token");
  EXPECT_EQ(header(headers, "x-amz-content-sha256"), "UNSIGNED-PAYLOAD");
  EXPECT_NE(header(headers, "Authorization")
                .find("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token"),
            std::string::npos);
}

}  // namespace
}  // namespace da::connectors::keboola
