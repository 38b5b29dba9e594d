// The send API: who may notify whom is decided by the caller's uid from the kernel, bodies are
// checked, photos are read only from the caller's own files, and everything lands in the outbox.
#include "notify_api/notify_api.hpp"

#include <cstring>
#include <thread>
#include <tuple>

#include "support/config_sections.hpp"
#include "support/temp_dir.hpp"
#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "da/config/instance_config_loader.hpp"
#include "da/identity/user_store.hpp"
#include "da/notify/notifications_settings.hpp"
#include "da/notify/outbox.hpp"
#include "da/notify/telegram_links.hpp"
#include "da/module/module_registry.hpp"
#include "da/store/state_store.hpp"

namespace da::services::notify_api {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

constexpr uid_t kNobody = 65534;

class NotifyApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ModuleRegistry modules;  // the Telegram and desktop channel modules
    register_all_modules(modules);
    fs::permissions(dir_.path(), fs::perms(0755));
    config_.paths.data_dir = dir_ / "data";
    config_.paths.state_db = dir_ / "data" / "state.db";
    testing::set_section(config_, "notifications",
                         "image_dir: " + (dir_ / "data" / "images").string());
    fs::create_directories(config_.paths.data_dir);
    store::StateStore store(config_.paths.state_db);
    // The system's "nobody" stands in for an analyst account (the portal reserves the name, so
    // it is written directly).
    store.database()
        .prepare("INSERT INTO users (email, username, created_at) VALUES (?, ?, 0)")
        .bind_all("nobody@example.com", "nobody")
        .run();
    nobody_ = store.database().last_insert_rowid();
    ana_ = identity::UserStore(store.database()).ensure("ana@example.com", {}).id;
    notify::TelegramLinks links(store.database());
    links.redeem(links.issue_code(1), nobody_);
    links.redeem(links.issue_code(2), ana_);
  }

  ApiReply post(uid_t uid, const std::string& path, const Json& body) {
    NotifyApi api(config_, {});
    net::PeerCredentials caller;
    caller.uid = uid;
    return api.handle(caller, "POST", path, body.dump());
  }

  int64_t outbox_size() {
    store::StateStore store(config_.paths.state_db);
    return static_cast<int64_t>(notify::Outbox(store.database()).recent(1000).size());
  }

  testing::TempDir dir_;
  config::InstanceConfig config_;
  int64_t nobody_ = 0, ana_ = 0;
};

TEST_F(NotifyApiTest, AnAnalystMayNotifyOnlyThemselves) {
  auto own = post(kNobody, "/send", {{"user", "nobody"}, {"text", "revenue dropped 20 %"}});
  EXPECT_EQ(own.status, 200) << own.body.dump();
  EXPECT_EQ(own.body["ok"], true);
  EXPECT_EQ(own.body["channels"], Json::array({"telegram"}));
  auto other = post(kNobody, "/send", {{"user", "ana_example_com"}, {"text", "phishing"}});
  EXPECT_EQ(other.status, 403) << other.body.dump();
  EXPECT_EQ(outbox_size(), 1);
  // Root (and the configured service accounts) may notify anyone.
  EXPECT_EQ(post(0, "/send", {{"user", "ana_example_com"}, {"text", "from the runner"}}).status,
            200);
}

TEST_F(NotifyApiTest, BadBodiesAreRefusedWithTheOriginalsMessages) {
  NotifyApi api(config_, {});
  net::PeerCredentials root;
  root.uid = 0;
  EXPECT_EQ(api.handle(root, "POST", "/send", "{not json").body["error"], "Invalid JSON");
  EXPECT_EQ(api.handle(root, "POST", "/send", "{\"user\":\"ana_example_com\"}").body["error"],
            "Missing required fields: user, text");
  EXPECT_EQ(api.handle(root, "GET", "/health", "").body["status"], "ok");
  EXPECT_EQ(api.handle(root, "GET", "/send", "").status, 405);
  EXPECT_EQ(post(0, "/send", {{"user", "nobody_at_all"}, {"text", "x"}}).status, 404);
  EXPECT_EQ(post(0, "/send", {{"user", 5}, {"text", "x"}}).status, 400);
}

TEST_F(NotifyApiTest, AFieldOfTheWrongTypeIsNamedInA400) {
  const std::tuple<std::string, Json, std::string> cases[] = {
      {"/send", {{"user", 123}, {"text", "x"}}, "field 'user' must be a string, not a number"},
      {"/send",
       {{"user", "nobody"}, {"text", {"a"}}},
       "field 'text' must be a string, not an array"},
      {"/send",
       {{"user", "nobody"}, {"text", "x"}, {"title", true}},
       "field 'title' must be a string, not true or false"},
      {"/send_photo",
       {{"user", "nobody"}, {"photo_base64", 5}},
       "field 'photo_base64' must be a string, not a number"},
      {"/send_photo",
       {{"user", "nobody"}, {"photo_path", {{"p", 1}}}},
       "field 'photo_path' must be a string, not an object"},
      {"/send_photo",
       {{"user", "nobody"}, {"photo_path", "/x"}, {"caption", 1.5}},
       "field 'caption' must be a string, not a number"}};
  for (const auto& [path, body, message] : cases) {
    auto reply = post(0, path, body);
    EXPECT_EQ(reply.status, 400) << body.dump() << " -> " << reply.body.dump();
    EXPECT_EQ(reply.body.value("error", ""), message) << body.dump();
  }
  EXPECT_EQ(outbox_size(), 0);
}

TEST_F(NotifyApiTest, PhotosComeOnlyFromTheCallersOwnFiles) {
  std::string png = std::string("\x89PNG\r\n\x1a\n", 8) + "chart";
  fs::path own = dir_.write("own.png", png);
  ASSERT_EQ(::chown(own.c_str(), kNobody, kNobody), 0);
  fs::path roots = dir_.write("roots.png", png);
  fs::create_symlink(own, dir_ / "link.png");

  auto sent = post(kNobody, "/send_photo", {{"user", "nobody"}, {"photo_path", own.string()}, {"caption", "c"}});
  EXPECT_EQ(sent.status, 200) << sent.body.dump();
  EXPECT_EQ(post(kNobody, "/send_photo", {{"user", "nobody"}, {"photo_path", roots.string()}}).status, 400);
  EXPECT_EQ(post(kNobody, "/send_photo", {{"user", "nobody"}, {"photo_path", (dir_ / "link.png").string()}}).status, 400);
  // A file the caller may not read and one that does not exist get the same answer.
  auto shadow = post(kNobody, "/send_photo", {{"user", "nobody"}, {"photo_path", "/etc/shadow"}});
  auto missing = post(kNobody, "/send_photo", {{"user", "nobody"}, {"photo_path", "/etc/nope"}});
  EXPECT_EQ(shadow.status, 400);
  EXPECT_EQ(missing.status, 400);
  std::string shadow_error = shadow.body["error"], missing_error = missing.body["error"];
  EXPECT_EQ(shadow_error.substr(shadow_error.find(" must")),
            missing_error.substr(missing_error.find(" must")));
  fs::path text = dir_.write("notes.png", "not an image");
  ASSERT_EQ(::chown(text.c_str(), kNobody, kNobody), 0);
  EXPECT_EQ(post(kNobody, "/send_photo", {{"user", "nobody"}, {"photo_path", text.string()}}).status, 400);

  store::StateStore store(config_.paths.state_db);
  auto stored = notify::Outbox(store.database()).find(sent.body["id"].get<int64_t>());
  ASSERT_TRUE(stored && stored->image);
  EXPECT_TRUE(fs::exists(notify::NotificationsSettings::from(config_).image_dir / *stored->image));
}

TEST_F(NotifyApiTest, AnAnalystsPhotosAreRateLimited) {
  std::string png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=";
  int accepted = 0, limited = 0;
  for (int i = 0; i < 22; ++i) {
    auto reply = post(kNobody, "/send_photo", {{"user", "nobody"}, {"photo_base64", png}});
    accepted += reply.status == 200;
    limited += reply.status == 429;
  }
  EXPECT_EQ(accepted, 20);
  EXPECT_EQ(limited, 2);
  EXPECT_EQ(post(0, "/send_photo", {{"user", "nobody"}, {"photo_base64", png}}).status, 200)
      << "root is not limited";
}

TEST_F(NotifyApiTest, TheSocketNamesTheCallerNotTheBody) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to act as another account";
  fs::path socket = dir_ / "notify.sock";
  NotifyApi api(config_, {});
  std::atomic<bool> stop{false};
  std::thread server([&] { api.serve(socket, stop); });
  for (int i = 0; i < 200 && !fs::exists(socket); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));

  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, socket.c_str(), sizeof address.sun_path - 1);
  std::string body = "{\"user\":\"ana_example_com\",\"text\":\"spoofed\"}";
  std::string request = "POST /send HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // Only async-signal-safe calls after fork() in a threaded process.
    if (::setgid(kNobody) != 0 || ::setuid(kNobody) != 0) ::_exit(3);
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
      ::_exit(4);
    (void)::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
    char reply[512] = {};
    if (::read(fd, reply, sizeof reply - 1) <= 0) ::_exit(4);
    ::_exit(std::strncmp(reply, "HTTP/1.1 403", 12) == 0 ? 1 : 0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  stop = true;
  server.join();
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1) << "0: not refused, 3: setuid failed, 4: no connection";
  EXPECT_EQ(outbox_size(), 0);
}

}  // namespace
}  // namespace da::services::notify_api
