#include "fakes/telegram/fake_telegram.hpp"

#include <chrono>
#include <future>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <zlib.h>

#include "da/net/http_client.hpp"

namespace da::fakes {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr char kToken[] = "123456:AAtest-token";
constexpr int64_t kChat = 424242;

class FakeTelegramTest : public ::testing::Test {
 protected:
  void SetUp() override { fake.set_max_long_poll(300ms); }

  std::string url(const std::string& method, const std::string& token = kToken) const {
    return fake.api_base() + "/bot" + token + "/" + method;
  }

  net::HttpResponse post_json(const std::string& method, const json& params,
                              const std::string& token = kToken) const {
    net::HttpRequest request;
    request.method = "POST";
    request.url = url(method, token);
    request.headers = {{"Content-Type", "application/json"}};
    request.body = params.dump();
    request.total_timeout = 5s;
    return client.send(request);
  }

  net::HttpResponse post_form(const std::string& method,
                              const std::vector<std::pair<std::string, std::string>>& fields) const {
    net::HttpRequest request;
    request.method = "POST";
    request.url = url(method);
    request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
    request.body = net::form_encode(fields);
    request.total_timeout = 5s;
    return client.send(request);
  }

  net::HttpResponse get(const std::string& method_and_query) const {
    net::HttpRequest request;
    request.url = url(method_and_query);
    request.total_timeout = 5s;
    return client.send(request);
  }

  // sendMessage in MarkdownV2; the parsed answer.
  json send_v2(const std::string& text, long expected_status = 200) const {
    auto response = post_json("sendMessage", {{"chat_id", kChat}, {"text", text},
                                              {"parse_mode", "MarkdownV2"}});
    EXPECT_EQ(response.status, expected_status) << text << " -> " << response.body;
    return json::parse(response.body);
  }

  FakeTelegram fake{kToken};
  net::HttpClient client;
};

std::string png_chunk(const std::string& type, const std::string& data) {
  std::string chunk;
  uint32_t length = static_cast<uint32_t>(data.size());
  for (int shift = 24; shift >= 0; shift -= 8) chunk += static_cast<char>((length >> shift) & 0xFF);
  std::string body = type + data;
  uLong crc = crc32(0L, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size()));
  chunk += body;
  for (int shift = 24; shift >= 0; shift -= 8) chunk += static_cast<char>((crc >> shift) & 0xFF);
  return chunk;
}

// A valid 1x1 RGBA PNG.
std::string tiny_png() {
  std::string header("\x89PNG\r\n\x1a\n", 8);
  std::string ihdr("\0\0\0\1\0\0\0\1\x08\x06\0\0\0", 13);
  std::string raw("\0\xff\0\0\xff", 5);  // filter byte + one red pixel
  uLongf size = compressBound(raw.size());
  std::string packed(size, '\0');
  compress(reinterpret_cast<Bytef*>(packed.data()), &size,
           reinterpret_cast<const Bytef*>(raw.data()), raw.size());
  packed.resize(size);
  return header + png_chunk("IHDR", ihdr) + png_chunk("IDAT", packed) + png_chunk("IEND", "");
}

std::string multipart(const std::string& boundary,
                      const std::vector<std::pair<std::string, std::string>>& fields,
                      const std::string& file_field, const std::string& filename,
                      const std::string& file) {
  std::string body;
  for (const auto& [name, value] : fields)
    body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name +
            "\"\r\n\r\n" + value + "\r\n";
  body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + file_field +
          "\"; filename=\"" + filename + "\"\r\nContent-Type: image/png\r\n\r\n" + file + "\r\n";
  body += "--" + boundary + "--\r\n";
  return body;
}

TEST_F(FakeTelegramTest, TokenAndMethodAreChecked) {
  auto wrong = post_json("getMe", json::object(), "123456:wrong");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(json::parse(wrong.body),
            json({{"ok", false}, {"error_code", 401}, {"description", "Unauthorized"}}));

  auto unknown = post_json("sendTelepathy", json::object());
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(json::parse(unknown.body)["description"], "Not Found");

  auto me = get("GETME");  // method names are case-insensitive
  ASSERT_EQ(me.status, 200) << me.body;
  json result = json::parse(me.body)["result"];
  EXPECT_EQ(result["id"], 123456);
  EXPECT_EQ(result["is_bot"], true);
  EXPECT_EQ(result["username"], "da_test_bot");
}

TEST_F(FakeTelegramTest, LongPollDeliversPushedMessageAndOffsetConfirmsIt) {
  auto started = std::chrono::steady_clock::now();
  std::thread pusher([&] {
    std::this_thread::sleep_for(80ms);
    fake.push_message(kChat, "/start 123456");
  });
  auto response = post_json("getUpdates", {{"timeout", 30}, {"allowed_updates", {"message", "callback_query"}}});
  pusher.join();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 290ms);  // woke on the push
  ASSERT_EQ(response.status, 200) << response.body;
  json updates = json::parse(response.body)["result"];
  ASSERT_EQ(updates.size(), 1u);
  const json& update = updates[0];
  EXPECT_EQ(update["update_id"], 100000);
  const json& message = update["message"];
  EXPECT_EQ(message["text"], "/start 123456");
  EXPECT_EQ(message["chat"]["id"], kChat);
  EXPECT_EQ(message["chat"]["type"], "private");
  EXPECT_EQ(message["from"]["username"], "analyst");
  EXPECT_EQ(message["from"]["is_bot"], false);
  EXPECT_EQ(message["entities"][0],
            json({{"type", "bot_command"}, {"offset", 0}, {"length", 6}}));

  // Not confirmed yet: delivered again.
  auto again = get("getUpdates?timeout=0");
  EXPECT_EQ(json::parse(again.body)["result"].size(), 1u);

  // Confirmed by a higher offset (form-encoded this time); the long poll then runs into the cap.
  started = std::chrono::steady_clock::now();
  auto confirmed = post_form("getUpdates", {{"offset", "100001"}, {"timeout", "30"}});
  auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(json::parse(confirmed.body)["result"], json::array());
  EXPECT_GE(waited, 250ms);
  EXPECT_LT(waited, 1s);
  EXPECT_EQ(fake.last_confirmed_offset(), 100001);
  EXPECT_EQ(fake.pending_updates(), 0u);

  EXPECT_EQ(fake.push_message(kChat, "hello"), 100001);
  auto next = get("getUpdates?offset=100001&limit=1");
  EXPECT_EQ(json::parse(next.body)["result"][0]["message"]["text"], "hello");
}

TEST_F(FakeTelegramTest, SecondLongPollEndsTheWaitingOneWithConflict) {
  auto first = std::async(std::launch::async, [&] { return post_json("getUpdates", {{"timeout", 30}}); });
  std::this_thread::sleep_for(60ms);
  auto second = std::async(std::launch::async, [&] {
    net::HttpClient own;
    net::HttpRequest request;
    request.url = url("getUpdates?timeout=0");
    return own.send(request);
  });
  auto conflict = first.get();
  EXPECT_EQ(conflict.status, 409);
  EXPECT_EQ(json::parse(conflict.body)["description"],
            "Conflict: terminated by other getUpdates request; make sure that only one bot "
            "instance is running");
  EXPECT_EQ(second.get().status, 200);
}

TEST_F(FakeTelegramTest, MarkdownV2IsValidatedLikeTelegram) {
  json good = send_v2("*Revenue* is up 12\\.5 %\\! See `orders.csv_v2` and "
                      "[the report](https://example.com/r?id=1\\)x) \\(draft\\)");
  ASSERT_EQ(good["ok"], true);
  EXPECT_EQ(good["result"]["text"],
            "Revenue is up 12.5 %! See orders.csv_v2 and the report (draft)");
  json entities = good["result"]["entities"];
  ASSERT_EQ(entities.size(), 3u);
  EXPECT_EQ(entities[0], json({{"type", "bold"}, {"offset", 0}, {"length", 7}}));
  EXPECT_EQ(entities[1]["type"], "code");
  EXPECT_EQ(entities[2]["type"], "text_link");
  EXPECT_EQ(entities[2]["url"], "https://example.com/r?id=1)x");

  json refused = send_v2("Done.", 400);
  EXPECT_EQ(refused, json({{"ok", false},
                           {"error_code", 400},
                           {"description",
                            "Bad Request: can't parse entities: Character '.' is reserved and "
                            "must be escaped with the preceding '\\'"}}));
  EXPECT_EQ(send_v2("a-b", 400)["description"],
            "Bad Request: can't parse entities: Character '-' is reserved and must be escaped "
            "with the preceding '\\'");
  EXPECT_EQ(send_v2("*bold", 400)["description"],
            "Bad Request: can't parse entities: Can't find end of Bold entity at byte offset 0");
  EXPECT_EQ(send_v2("x `a.b", 400)["description"],
            "Bad Request: can't parse entities: Can't find end of Code entity at byte offset 2");
  EXPECT_EQ(send_v2("[a](https://x.y", 400)["description"],
            "Bad Request: can't parse entities: Can't find end of a URL at byte offset 4");

  // Code and pre blocks need only ` and \ escaped.
  json code = send_v2("```sql\nSELECT a.b, \\`x\\` FROM t WHERE c != 'd' -- {1}\n```");
  ASSERT_EQ(code["ok"], true) << code;
  EXPECT_EQ(code["result"]["text"], "SELECT a.b, `x` FROM t WHERE c != 'd' -- {1}");
  EXPECT_EQ(code["result"]["entities"][0]["language"], "sql");
  // A block quote starts at a line start only; '>' elsewhere is reserved.
  EXPECT_EQ(send_v2(">quoted\nplain")["ok"], true);
  EXPECT_EQ(send_v2("a > b", 400)["description"],
            "Bad Request: can't parse entities: Character '>' is reserved and must be escaped "
            "with the preceding '\\'");

  auto sent = fake.sent();
  ASSERT_EQ(sent.size(), 3u);  // refused messages are not recorded
  EXPECT_EQ(sent[0].method, "sendMessage");
  EXPECT_EQ(sent[0].parse_mode, "MarkdownV2");
  EXPECT_EQ(sent[0].rendered_text, good["result"]["text"]);
  EXPECT_EQ(fake.errors().size(), 6u);
}

TEST_F(FakeTelegramTest, TextLengthIsLimited) {
  auto at_limit = post_json("sendMessage", {{"chat_id", kChat}, {"text", std::string(4096, 'a')}});
  EXPECT_EQ(at_limit.status, 200);
  auto too_long = post_json("sendMessage", {{"chat_id", kChat}, {"text", std::string(4097, 'a')}});
  EXPECT_EQ(too_long.status, 400);
  EXPECT_EQ(json::parse(too_long.body)["description"], "Bad Request: message is too long");
  // Escapes do not count: 4096 visible characters.
  std::string escaped;
  for (int i = 0; i < 2048; ++i) escaped += "a\\.";
  EXPECT_EQ(send_v2(escaped)["ok"], true);
  auto empty = post_json("sendMessage", {{"chat_id", kChat}, {"text", ""}});
  EXPECT_EQ(json::parse(empty.body)["description"], "Bad Request: message text is empty");
  auto no_chat = post_json("sendMessage", {{"text", "x"}});
  EXPECT_EQ(json::parse(no_chat.body)["description"], "Bad Request: chat_id is empty");
}

TEST_F(FakeTelegramTest, SendPhotoTakesMultipartPng) {
  const std::string png = tiny_png();
  const std::string boundary = "------------------------d4f3b2a1";
  net::HttpRequest request;
  request.method = "POST";
  request.url = url("sendPhoto");
  request.headers = {{"Content-Type", "multipart/form-data; boundary=" + boundary}};
  request.body = multipart(boundary,
                           {{"chat_id", std::to_string(kChat)},
                            {"caption", "Orders *by day*"},
                            {"parse_mode", "MarkdownV2"},
                            {"reply_markup", R"({"inline_keyboard":[[{"text":"More","callback_data":"more:1"}]]})"}},
                           "photo", "chart.png", png);
  auto response = client.send(request);
  ASSERT_EQ(response.status, 200) << response.body;
  json result = json::parse(response.body)["result"];
  EXPECT_EQ(result["caption"], "Orders by day");
  EXPECT_EQ(result["photo"][0]["width"], 1);
  EXPECT_EQ(result["photo"][0]["height"], 1);

  auto sent = fake.sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].method, "sendPhoto");
  EXPECT_EQ(sent[0].chat_id, kChat);
  EXPECT_EQ(sent[0].text, "Orders *by day*");
  EXPECT_EQ(sent[0].photo_size, png.size());
  EXPECT_EQ(sent[0].photo, png);
  EXPECT_EQ(sent[0].photo_filename, "chart.png");
  EXPECT_EQ(sent[0].reply_markup["inline_keyboard"][0][0]["callback_data"], "more:1");

  request.body = multipart(boundary, {{"chat_id", std::to_string(kChat)}}, "photo", "notes.txt",
                           "just some text");
  auto refused = client.send(request);
  EXPECT_EQ(refused.status, 400);
  EXPECT_EQ(json::parse(refused.body)["description"], "Bad Request: IMAGE_PROCESS_FAILED");

  request.body = multipart(boundary, {{"chat_id", std::to_string(kChat)}, {"caption", std::string(1025, 'c')}},
                           "photo", "chart.png", png);
  EXPECT_EQ(json::parse(client.send(request).body)["description"],
            "Bad Request: message caption is too long");
  EXPECT_EQ(fake.sent().size(), 1u);
}

TEST_F(FakeTelegramTest, InjectedFailuresAnswerOnce) {
  fake.fail_next("sendMessage", 429, 7);
  fake.fail_next("sendMessage", 502);
  auto limited = post_json("sendMessage", {{"chat_id", kChat}, {"text", "hi"}});
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(json::parse(limited.body),
            json({{"ok", false},
                  {"error_code", 429},
                  {"description", "Too Many Requests: retry after 7"},
                  {"parameters", {{"retry_after", 7}}}}));
  auto gateway = post_json("sendMessage", {{"chat_id", kChat}, {"text", "hi"}});
  EXPECT_EQ(gateway.status, 502);
  EXPECT_EQ(json::parse(gateway.body)["description"], "Bad Gateway");
  EXPECT_EQ(post_json("sendMessage", {{"chat_id", kChat}, {"text", "hi"}}).status, 200);
  EXPECT_TRUE(fake.wait_for_sent(1, 10ms));
}

TEST_F(FakeTelegramTest, CallbackQueriesAreAnsweredOnce) {
  json keyboard = {{"inline_keyboard", {{{{"text", "Approve"}, {"callback_data", "approve:9"}}}}}};
  auto sent = post_json("sendMessage", {{"chat_id", kChat}, {"text", "Approve?"},
                                        {"reply_markup", keyboard.dump()}});
  ASSERT_EQ(sent.status, 200) << sent.body;
  const int64_t message_id = json::parse(sent.body)["result"]["message_id"];

  fake.push_callback(kChat, "approve:9");
  json update = json::parse(get("getUpdates").body)["result"][0];
  const json& query = update["callback_query"];
  EXPECT_EQ(query["data"], "approve:9");
  EXPECT_EQ(query["message"]["message_id"], message_id);
  EXPECT_EQ(query["from"]["id"], kChat);
  EXPECT_TRUE(query["chat_instance"].is_string());
  const std::string id = query["id"];

  auto answered = post_form("answerCallbackQuery", {{"callback_query_id", id}, {"text", "Done"}});
  EXPECT_EQ(answered.status, 200);
  EXPECT_EQ(json::parse(answered.body)["result"], true);
  const std::string stale =
      "Bad Request: query is too old and response timeout expired or query ID is invalid";
  auto twice = post_form("answerCallbackQuery", {{"callback_query_id", id}});
  EXPECT_EQ(twice.status, 400);
  EXPECT_EQ(json::parse(twice.body)["description"], stale);
  auto bogus = post_form("answerCallbackQuery", {{"callback_query_id", "12345"}});
  EXPECT_EQ(json::parse(bogus.body)["description"], stale);
  ASSERT_EQ(fake.answered_callbacks().size(), 1u);
  EXPECT_EQ(fake.answered_callbacks()[0].callback_query_id, id);
  EXPECT_EQ(fake.answered_callbacks()[0].text, "Done");

  // Editing the message: the keyboard goes unless sent again; an identical edit is refused.
  auto edited = post_json("editMessageText", {{"chat_id", kChat}, {"message_id", message_id},
                                              {"text", "Approved"}});
  EXPECT_EQ(edited.status, 200) << edited.body;
  auto same = post_json("editMessageText", {{"chat_id", kChat}, {"message_id", message_id},
                                            {"text", "Approved"}});
  EXPECT_EQ(same.status, 400);
  EXPECT_EQ(fake.sent().back().method, "editMessageText");

  json too_much = {{"inline_keyboard", {{{{"text", "x"}, {"callback_data", std::string(65, 'd')}}}}}};
  auto invalid = post_json("sendMessage", {{"chat_id", kChat}, {"text", "x"}, {"reply_markup", too_much}});
  EXPECT_EQ(json::parse(invalid.body)["description"], "Bad Request: BUTTON_DATA_INVALID");
}

TEST_F(FakeTelegramTest, StopEndsLongPollsPromptly) {
  fake.set_max_long_poll(10s);
  auto poll = std::async(std::launch::async, [&] {
    net::HttpClient own;
    net::HttpRequest request;
    request.url = url("getUpdates?timeout=30");
    request.total_timeout = 5s;
    return own.send(request);
  });
  std::this_thread::sleep_for(60ms);
  auto started = std::chrono::steady_clock::now();
  fake.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 500ms);
  auto response = poll.get();
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(json::parse(response.body)["result"], json::array());
}

}  // namespace
}  // namespace da::fakes
