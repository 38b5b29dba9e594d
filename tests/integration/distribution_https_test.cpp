// `da pull` over HTTPS from a portal whose certificate a private CA signed: the real `da serve`
// behind TLS (as nginx would stand in front of it, here a TLS terminator with a CA and a
// certificate made for the test), and the real `da pull`.
#include <map>
#include <memory>

#include "fakes/tls/test_pki.hpp"
#include "fakes/tls/tls_terminator.hpp"
#include "support/background_process.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include <gtest/gtest.h>

#include "da/common/strings.hpp"
#include "da/duck/connection.hpp"
#include "da/duck/database.hpp"
#include "da/duck/sql_quote.hpp"

namespace da {
namespace {

namespace fs = std::filesystem;
using testing::ProcessOptions;
using testing::ProcessResult;
using testing::run_da;
using testing::TempDir;

class HttpsPullPrivateCa : public ::testing::Test {
 protected:
  // The portal's sub-path (the path of server.base_url), or "" at the root of the host.
  virtual std::string sub_path() const { return ""; }

  void SetUp() override {
    portal_path_ = sub_path();
    uint16_t port = testing::free_port();
    dir_.write("config/instance.yaml",
               "instance: {name: Test}\n"
               "server: {hostname: 127.0.0.1, base_url: 'https://127.0.0.1" +
                   sub_path() +
                   "', access_log: false}\n"
                   "auth:\n  allowed_domain: example.com\n"
                   "  webapp_secret_key: 0123456789abcdef0123456789abcdef01\n"
                   "paths: {data_dir: ./data, docs_dir: ./docs}\nlogging: {level: warn}\n");
    dir_.write("docs/data_description.md",
               "```yaml\nfolder_mapping: {in.c-crm: crm}\ntables:\n"
               "  - {id: in.c-crm.orders, name: orders, sync_strategy: full_refresh}\n```\n");
    fs::create_directories(dir_ / "data/parquet/crm");
    {
      duck::Database database;
      duck::Connection connection(database);
      connection.execute("COPY (SELECT range AS id FROM range(3)) TO " +
                         duck::quote_path(dir_ / "data/parquet/crm/orders.parquet") +
                         " (FORMAT parquet)");
    }
    ASSERT_EQ(da({"users", "grant-role", "ana@example.com", "analyst"}).exit_code, 0);
    ProcessResult token = da({"users", "token", "create", "ana@example.com", "--name", "pull"});
    ASSERT_EQ(token.exit_code, 0) << token.err;
    token_ = std::string(trim(token.out));
    portal_ = std::make_unique<testing::BackgroundProcess>(
        std::vector<std::string>{DA_BINARY, "--config", (dir_ / "config").string(), "serve",
                                 "--listen", "127.0.0.1:" + std::to_string(port)},
        dir_ / "portal.log");
    ASSERT_TRUE(portal_->wait_for_port(port, std::chrono::seconds(20))) << portal_->output();
    pki_ = fakes::make_test_pki(dir_ / "pki");
    tls_ = std::make_unique<fakes::TlsTerminator>(pki_.server_cert, pki_.server_key, port);
  }

  ProcessResult da(std::vector<std::string> args) {
    args.insert(args.begin(), {"--config", (dir_ / "config").string()});
    return run_da(args);
  }

  ProcessResult pull(std::vector<std::string> extra, std::map<std::string, std::string> env = {}) {
    ProcessOptions options;
    options.env = std::move(env);
    options.env["DA_PORTAL_URL"] =
        "https://127.0.0.1:" + std::to_string(tls_->port()) + portal_path_;
    options.env["DA_PORTAL_TOKEN"] = token_;
    options.unset_env = {"DA_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR"};
    std::vector<std::string> args = {"pull", (dir_ / "ws").string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_da(args, options);
  }

  bool pulled() const { return fs::exists(dir_ / "ws/server/parquet/crm/orders.parquet"); }

  TempDir dir_;
  std::string portal_path_;  // the path of DA_PORTAL_URL
  std::string token_;
  std::unique_ptr<testing::BackgroundProcess> portal_;
  fakes::TestPki pki_;
  std::unique_ptr<fakes::TlsTerminator> tls_;
};

TEST_F(HttpsPullPrivateCa, WithoutTheCaThePullIsRefusedNamingTheCertificateProblem) {
  ProcessResult result = pull({});
  EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
  EXPECT_NE(result.err.find("SSL certificate problem"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("checked against the system's CA certificates"), std::string::npos)
      << result.err;
  EXPECT_FALSE(pulled());
}

TEST_F(HttpsPullPrivateCa, WithCacertThePullWorks) {
  ProcessResult result = pull({"--cacert", pki_.ca_cert.string()});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err << portal_->output();
  EXPECT_NE(result.out.find("pulled "), std::string::npos) << result.out;
  EXPECT_TRUE(pulled());
}

TEST_F(HttpsPullPrivateCa, WithDaCaBundleThePullWorks) {
  ProcessResult result = pull({}, {{"DA_CA_BUNDLE", pki_.ca_cert.string()}});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err << portal_->output();
  EXPECT_TRUE(pulled());
}

TEST_F(HttpsPullPrivateCa, AMissingCaFileIsAConfigurationErrorNamingThePath) {
  ProcessResult flag = pull({"--cacert", (dir_ / "nowhere.pem").string()});
  EXPECT_EQ(flag.exit_code, 2);
  EXPECT_NE(
      flag.err.find("--cacert: the CA file " + (dir_ / "nowhere.pem").string() + " does not exist"),
      std::string::npos)
      << flag.err;
  ProcessResult env = pull({}, {{"DA_CA_BUNDLE", pki_.server_key.string()}});
  EXPECT_EQ(env.exit_code, 2);
  EXPECT_NE(env.err.find("DA_CA_BUNDLE: the CA file " + pki_.server_key.string() +
                         " holds no certificate"),
            std::string::npos)
      << env.err;
  EXPECT_EQ(tls_->failed_handshakes(), 0);
  EXPECT_FALSE(pulled());
}

// Behind a proxy that passes /tools/da/ through unchanged, the portal answers the manifest and
// the files under its sub-path, and nothing at the root of the host.
class HttpsPullUnderSubPath : public HttpsPullPrivateCa {
 protected:
  std::string sub_path() const override { return "/tools/da"; }
};

TEST_F(HttpsPullUnderSubPath, ThePullFollowsTheManifestUnderTheSubPath) {
  ProcessResult result = pull({"--cacert", pki_.ca_cert.string()});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err << portal_->output();
  EXPECT_NE(result.out.find("pulled "), std::string::npos) << result.out;
  EXPECT_TRUE(pulled());
}

TEST_F(HttpsPullUnderSubPath, APortalUrlWithoutTheSubPathFindsNothing) {
  portal_path_ = "";
  ProcessResult result = pull({"--cacert", pki_.ca_cert.string()});
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.err.find("404"), std::string::npos) << result.err;
  EXPECT_FALSE(pulled());
}

}  // namespace
}  // namespace da
