// What a request shows of itself in logs and which client it names.
#include "da/web/request.hpp"

#include <gtest/gtest.h>

#include "da/web/router.hpp"

namespace da::web {
namespace {

TEST(Request, PathForLogHidesSecretPlaceholders) {
  Router router;
  router.get("/login/password/set/{token}", [](Request&) { return Response(); });
  router.get("/api/metrics/{category}/{file}", [](Request&) { return Response(); });
  Request secret;
  secret.method = "GET";
  secret.path = "/login/password/set/abcdefghijklmnop";
  ASSERT_EQ(router.match(secret).outcome, Router::Outcome::kMatched);
  EXPECT_EQ(secret.path_for_log(), "/login/password/set/***");
  Request plain;
  plain.method = "GET";
  plain.path = "/api/metrics/revenue/total.yml";
  router.match(plain);
  EXPECT_EQ(plain.path_for_log(), "/api/metrics/revenue/total.yml");
  // A method the route does not take, and a path no route knows (an old link).
  Request head;
  head.method = "POST";
  head.path = "/login/password/set/abcdefghijklmnop";
  EXPECT_EQ(router.match(head).outcome, Router::Outcome::kMethodNotAllowed);
  EXPECT_EQ(head.path_for_log(), "/login/password/set/***");
  Request unknown;
  unknown.path = "/login/email/verify/Zm9yZ2VkLXRva2VuLXRoYXQtbXVzdC1ub3QtbGVhaw/";
  EXPECT_EQ(unknown.path_for_log(), "/login/email/verify/***/");
}

TEST(Request, TheClientIsTheServersVerdictElseThePeer) {
  Request request;
  request.remote_address = "127.0.0.1";
  request.headers.emplace_back("x-real-ip", "203.0.113.9");
  EXPECT_EQ(request.client_ip(), "127.0.0.1");
  request.client_address = "198.51.100.4";
  EXPECT_EQ(request.client_ip(), "198.51.100.4");
}

}  // namespace
}  // namespace da::web
