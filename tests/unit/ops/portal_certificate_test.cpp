#include "da/ops/portal_certificate.hpp"

#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include <gtest/gtest.h>

#include "da/common/error.hpp"

namespace da::ops {
namespace {

using testing::TempDir;

TEST(PortalCertificate, ReadsTheSubjectAndExpiryOfAPemCertificate) {
  TempDir dir;
  auto made =
      testing::run_process({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                            (dir / "key.pem").string(), "-out", (dir / "cert.pem").string(),
                            "-days", "40", "-subj", "/CN=data.example.com"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  CertificateInfo info = read_certificate(dir / "cert.pem");
  EXPECT_EQ(info.subject, "CN = data.example.com");
  auto days =
      std::chrono::duration_cast<std::chrono::hours>(info.not_after - now_utc()).count() / 24;
  EXPECT_TRUE(days == 39 || days == 40) << days;
  dir.write("not-a-cert.pem", "hello");
  EXPECT_THROW(read_certificate(dir / "not-a-cert.pem"), Error);
  EXPECT_THROW(read_certificate(dir / "missing.pem"), Error);
}

TEST(PortalCertificate, FindsTheCertificatesOfTheNginxSitesThatServeThePortal) {
  TempDir dir;
  dir.write("sites/da",
            "server {\n  listen 443 ssl;\n  ssl_certificate /etc/ssl/da/fullchain.pem;\n"
            "  ssl_certificate_key /etc/ssl/da/key.pem;\n"
            "  # ssl_certificate /etc/ssl/old.pem;\n"
            "  location / { proxy_pass http://unix:/run/da/portal.sock; }\n}\n"
            "server { listen 443 ssl default_server; ssl_certificate /etc/ssl/snakeoil.pem; "
            "return 444; }\n");
  dir.write("sites/other", "server { ssl_certificate /etc/ssl/other.pem; proxy_pass x; }\n");
  auto found = nginx_portal_certificates(dir / "sites", "/run/da/portal.sock");
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0], "/etc/ssl/da/fullchain.pem");
  EXPECT_EQ(found[1], "/etc/ssl/snakeoil.pem");
  EXPECT_TRUE(nginx_portal_certificates(dir / "sites", "127.0.0.1:8080").empty());
  EXPECT_TRUE(nginx_portal_certificates(dir / "none", "/run/da/portal.sock").empty());
}

}  // namespace
}  // namespace da::ops
