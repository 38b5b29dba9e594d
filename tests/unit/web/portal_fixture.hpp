// A portal on an ephemeral loopback port with a temporary instance (one table whose
// description holds markup, one metric), and helpers to call it over real HTTP.
#pragma once

#include <regex>

#include "support/temp_dir.hpp"
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "da/config/instance_config_loader.hpp"
#include "da/net/http_client.hpp"
#include "da/module/module_registry.hpp"
#include "da/web/http_server.hpp"
#include "da/web/portal.hpp"

namespace da::web {

constexpr const char* kDescription = R"(# Tables
```yaml
tables:
  - id: sales.orders
    name: orders
    description: "Orders <script>alert(1)</script>"
    primary_key: [order_id]
    sync_strategy: full_refresh
```
)";

class PortalFixture : public ::testing::Test {
 protected:
  // Lines added under auth: (indented by two spaces) and at the top level of instance.yaml.
  virtual std::string auth_yaml() const { return "  email: {dev_mode: true}\n"; }
  virtual std::string extra_yaml() const { return ""; }
  // Settings added inside server: {...}, starting with ", ".
  virtual std::string server_yaml() const { return ""; }
  // The path of base_url: the portal's sub-path ("/tools/da"), or "" at the root.
  virtual std::string sub_path() const { return ""; }
  // The account provisioner the portal calls after an SSH key is saved (none by default).
  virtual identity::AccountProvisioner* provisioner() { return nullptr; }

  void SetUp() override {
    temp_.write("docs/data_description.md", kDescription);
    temp_.write("docs/metrics/revenue/total_revenue.yml",
                "name: total_revenue\ndisplay_name: Total Revenue\ncategory: revenue\ntype: sum\n"
                "unit: EUR\ngrain: monthly\ntable: orders\nexpression: SUM(x)\n"
                "description: \"Revenue <img src=x onerror=alert(1)>\"\nsql: SELECT 1\n");
    register_all_modules(modules_);
    port_ = free_port();
    std::string yaml =
        "instance: {name: Test}\n"
        "server: {hostname: 127.0.0.1, base_url: '" +
        origin() + sub_path() + "', access_log: false" + server_yaml() + "}\n" +
        "auth:\n  allowed_domain: example.com\n  webapp_secret_key: "
        "0123456789abcdef0123456789abcdef01\n" +
        auth_yaml() + "paths: {data_dir: ./data, docs_dir: ./docs}\n" + extra_yaml();
    temp_.write("config/instance.yaml", yaml);
    auto load = config::parse_instance_config(
        yaml, "instance.yaml", temp_ / "config", [](const std::string&) { return std::nullopt; },
        &modules_.config_sections);
    ASSERT_FALSE(load.diagnostics.has_errors());
    config_ = load.config;
    portal_ = std::make_unique<Portal>(config_, modules_.auth_providers, modules_.portal_features,
                                       &modules_.data_sources, provisioner());
    ServerOptions options = server_options(config_);
    options.listen = "127.0.0.1:" + std::to_string(port_);
    server_ = std::make_unique<HttpServer>(
        options, [this](Request& r) { return portal_->handle(r); },
        [this](Request& r) { return portal_->lane_of(r); });
    server_->start();
  }
  void TearDown() override { server_->stop(); }

  static uint16_t free_port() {
    ServerOptions options;
    options.listen = "127.0.0.1:0";
    HttpServer probe(options, [](Request&) { return Response::text(200, ""); });
    probe.start();
    uint16_t port = probe.port();
    probe.stop();
    return port;
  }

  // scheme://host:port of the portal, as browsers send it in Origin headers.
  std::string origin() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // The absolute URL of a site-local path: base_url + path (the sub-path included).
  std::string url(const std::string& path) const { return origin() + sub_path() + path; }

  // Calls the site-local `path` (under the sub-path, if any).
  net::HttpResponse call(const std::string& method, const std::string& path,
                         const std::string& cookies = "", const std::string& body = "",
                         const std::string& type = "",
                         std::vector<std::pair<std::string, std::string>> headers = {}) {
    net::HttpRequest request;
    request.method = method;
    request.url = url(path);
    request.body = body;
    request.headers = std::move(headers);
    if (!cookies.empty()) request.headers.emplace_back("Cookie", cookies);
    if (!type.empty()) request.headers.emplace_back("Content-Type", type);
    return net::HttpClient().send(request);
  }

  static std::string cookie_value(const net::HttpResponse& response, const std::string& name) {
    std::string header = response.header("set-cookie");
    if (header.rfind(name + "=", 0) != 0) return {};
    return header.substr(name.size() + 1, header.find(';') - name.size() - 1);
  }

  // Opens the magic-link form in a new browser and asks for a link for `email`; `bind` receives
  // that browser's binding cookie.
  net::HttpResponse request_link(const std::string& email, std::string& bind) {
    auto form = call("GET", "/login/email");
    bind = cookie_value(form, "da_bind");
    std::smatch match;
    std::regex csrf_pattern("name=\"csrf_token\" value=\"([^\"]+)\"");
    EXPECT_TRUE(std::regex_search(form.body, match, csrf_pattern));
    return call("POST", "/login/email/send", "da_bind=" + bind,
                "email=" + net::url_encode(email) + "&csrf_token=" + match[1].str(),
                "application/x-www-form-urlencoded", {{"Origin", origin()}});
  }

  // Signs `email` in through the magic-link flow; returns the Cookie header of the session.
  std::string sign_in(const std::string& email, const std::string& prior_session = "") {
    std::string bind;
    auto sent = request_link(email, bind);
    EXPECT_EQ(sent.status, 200) << sent.body;
    std::string cookies = "da_bind=" + bind;
    std::smatch match;
    std::regex link_pattern("href=\"" + sub_path() + "(/login/email/verify/[^\"]+)\"");
    if (!std::regex_search(sent.body, match, link_pattern)) return {};
    last_link_ = match[1].str();
    last_bind_ = bind;
    // A session id planted in the browser before sign-in must not survive it (fixation).
    if (!prior_session.empty()) cookies += "; da_session=" + prior_session;
    auto verified = call("GET", last_link_, cookies);
    EXPECT_EQ(verified.status, 303);
    std::string session = cookie_value(verified, "da_session");
    EXPECT_FALSE(session.empty());
    return "da_bind=" + bind + "; da_session=" + session;
  }

  std::string csrf_of(const std::string& cookies) {
    auto page = call("GET", "/dashboard", cookies);
    std::smatch match;
    std::regex pattern("data-csrf=\"([^\"]+)\"");
    EXPECT_TRUE(std::regex_search(page.body, match, pattern));
    return match[1].str();
  }

  da::testing::TempDir temp_;
  ModuleRegistry modules_;
  config::InstanceConfig config_;
  uint16_t port_ = 0;
  std::unique_ptr<Portal> portal_;
  std::unique_ptr<HttpServer> server_;
  std::string last_link_, last_bind_;
};

}  // namespace da::web
