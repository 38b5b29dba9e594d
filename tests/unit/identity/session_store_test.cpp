#include "da/identity/session_store.hpp"

#include "support/temp_dir.hpp"
#include <gtest/gtest.h>

#include "da/common/time.hpp"
#include "da/identity/rate_limiter.hpp"
#include "da/identity/token_store.hpp"
#include "da/identity/user_store.hpp"
#include "da/store/state_store.hpp"

namespace da::identity {
namespace {

class IdentityStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::make_unique<store::StateStore>(dir_ / "state.db");
    user_ = UserStore(db()).ensure("ana@example.com", {});
  }
  store::SqliteDatabase& db() { return store_->database(); }
  // Moves a session's clocks `hours` into the past.
  void age_session(const std::string& column, int hours) {
    db().execute("UPDATE sessions SET " + column + " = " + column + " - " +
                 std::to_string(int64_t{hours} * 3'600'000'000));
  }
  testing::TempDir dir_;
  std::unique_ptr<store::StateStore> store_;
  User user_;
};

TEST_F(IdentityStoreTest, SessionsEndAfterTheIdleTimeout) {
  SessionStore sessions(db(), {std::chrono::minutes(120), std::chrono::hours(168)});
  NewSession session = sessions.create(user_.id, "email", "127.0.0.1", "test");
  ASSERT_TRUE(sessions.find(session.id));
  age_session("last_seen_at", 3);
  EXPECT_FALSE(sessions.find(session.id));
}

TEST_F(IdentityStoreTest, SessionsEndAtTheAbsoluteTimeoutEvenWhenUsed) {
  SessionStore sessions(db(), {std::chrono::minutes(120), std::chrono::hours(1)});
  NewSession session = sessions.create(user_.id, "email", "127.0.0.1", "test");
  age_session("expires_at", 2);
  EXPECT_FALSE(sessions.find(session.id));
}

TEST_F(IdentityStoreTest, OnlyTheHashOfASessionIdIsStored) {
  SessionStore sessions(db(), {});
  NewSession session = sessions.create(user_.id, "email", "127.0.0.1", "test");
  auto statement = db().prepare("SELECT COUNT(*) FROM sessions WHERE id_hash = ?");
  statement.bind(1, session.id);
  statement.step();
  EXPECT_EQ(statement.column_int(0), 0);
  EXPECT_EQ(session.id.size(), 43u);  // 256 bits, base64url
}

TEST_F(IdentityStoreTest, OneTimeTokensAreSingleUseBoundAndExpiring) {
  TokenStore tokens(db());
  std::string token =
      tokens.issue("magic_link", "ana@example.com", std::chrono::seconds(900), "browser-a");
  EXPECT_FALSE(tokens.consume("magic_link", token, "browser-b"));
  EXPECT_FALSE(tokens.consume("password_set", token, "browser-a"));
  EXPECT_TRUE(tokens.consume("magic_link", token, "browser-a"));
  EXPECT_FALSE(tokens.consume("magic_link", token, "browser-a"));
  std::string expired = tokens.issue("magic_link", "ana@example.com", std::chrono::seconds(0));
  EXPECT_FALSE(tokens.consume("magic_link", expired));
}

TEST_F(IdentityStoreTest, RateLimitsCountAcrossConnections) {
  RateLimit limit{3, std::chrono::seconds(60)};
  RateLimiter first(db());
  store::StateStore other(dir_ / "state.db");
  RateLimiter second(other.database());
  EXPECT_TRUE(first.hit("login-ip:1", limit).allowed);
  EXPECT_TRUE(second.hit("login-ip:1", limit).allowed);
  EXPECT_TRUE(first.hit("login-ip:1", limit).allowed);
  RateDecision refused = second.hit("login-ip:1", limit);
  EXPECT_FALSE(refused.allowed);
  EXPECT_GE(refused.retry_after.count(), 1);
  EXPECT_TRUE(first.hit("login-ip:2", limit).allowed);
}

}  // namespace
}  // namespace da::identity
