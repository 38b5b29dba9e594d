// A Telegram Bot API server on 127.0.0.1 for tests of our bot (long polling), following the
// public documentation (https://core.telegram.org/bots/api).
//
// Wire: the bot calls <api_base()>/bot<TOKEN>/<method> with GET or POST; method names are
// case-insensitive; parameters come from the query string and an application/json,
// application/x-www-form-urlencoded or multipart/form-data body (the body wins). Every answer is
// JSON: {"ok":true,"result":...} with status 200, or {"ok":false,"error_code":N,
// "description":"..."} with HTTP status N (and "parameters":{"retry_after":N} on 429).
// A wrong token answers 401 "Unauthorized", an unknown method 404 "Not Found".
//
// Methods: getMe, getUpdates, sendMessage, sendPhoto, editMessageText, answerCallbackQuery,
// sendChatAction, deleteWebhook and setMyCommands (the last two just answer true).
//  - getUpdates: offset confirms (forgets) every update whose update_id is lower (a negative
//    offset keeps only the last -offset updates), limit 1..100 (default 100), timeout in
//    seconds long-polls until an update is queued, honoured up to set_max_long_poll();
//    allowed_updates is remembered until changed and filters updates queued afterwards (by
//    default everything but chat_member, message_reaction and message_reaction_count). A
//    getUpdates arriving while another one waits ends the waiting one with 409 "Conflict:
//    terminated by other getUpdates request; ...", as the real server does.
//  - sendMessage / editMessageText / sendPhoto's caption: parse_mode MarkdownV2, Markdown, HTML
//    (any case) or none. The text is parsed the way the server parses it and refused with its
//    400 "Bad Request: can't parse entities: ..." descriptions: in MarkdownV2 every one of
//    _ * [ ] ( ) ~ ` > # + - = | { } . ! outside an entity must be escaped with '\' ("Character
//    '.' is reserved and must be escaped with the preceding '\'"), entities must be closed
//    ("Can't find end of Bold entity at byte offset 5"), inside `code` / ```pre``` only '`' is
//    reserved, inside a link's (url) ')' and '\' must be escaped; '>' starts a block quote only
//    at the start of a line. Text must be 1..4096 characters (Unicode code points, after
//    parsing and trimming surrounding whitespace; "message text is empty" / "message is too
//    long"), a caption 0..1024 ("message caption is too long"). reply_markup (a JSON string, or
//    an object in a JSON body) must parse; inline buttons need a text and an action, and
//    callback_data must be 1..64 bytes ("BUTTON_DATA_INVALID").
//  - sendPhoto: the photo is a multipart file part named "photo" (or the file_id of a photo
//    sent before); it must be a PNG or JPEG whose size can be read, else 400
//    "IMAGE_PROCESS_FAILED".
//  - editMessageText: chat_id + message_id of a text message the bot sent; an edit that changes
//    nothing is refused with "message is not modified: ..."; leaving out reply_markup removes
//    the keyboard.
//  - answerCallbackQuery: the id of a pushed callback query not answered yet, else 400 "query is
//    too old and response timeout expired or query ID is invalid".
// Chats: any non-zero integer chat_id is a chat (positive ids private chats); a missing one is
// "chat_id is empty", a non-integer one "chat not found"; block_chat() makes sends 403.
// Message ids count from 1 per chat, shared by the user's and the bot's messages.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace da::fakes {

// One message the bot sent or edited successfully.
struct SentMessage {
  std::string method;           // "sendMessage", "sendPhoto" or "editMessageText"
  int64_t chat_id = 0;
  int64_t message_id = 0;       // the new message's id; for edits the edited one's
  std::string text;             // text, or the photo's caption, exactly as the bot sent it
  std::string rendered_text;    // the same after entity parsing: what the user reads
  std::string parse_mode;       // as sent; "" when absent
  nlohmann::json reply_markup;  // parsed; null when absent
  std::string photo;            // sendPhoto: the image bytes
  std::size_t photo_size = 0;   // sendPhoto: photo.size()
  std::string photo_filename;   // sendPhoto: the file part's filename ("" for a file_id)
};

struct AnsweredCallback {
  std::string callback_query_id;
  std::string text;  // "" when absent
  bool show_alert = false;
};

class FakeTelegram {
 public:
  // Listens on an ephemeral loopback port at once and accepts `token` only. The bot's user id
  // is the token's numeric prefix before ':' when it has one.
  explicit FakeTelegram(std::string token);
  // stop().
  ~FakeTelegram();
  FakeTelegram(const FakeTelegram&) = delete;
  FakeTelegram& operator=(const FakeTelegram&) = delete;

  // "http://127.0.0.1:<port>"; the bot calls <api_base>/bot<token>/<method>.
  std::string api_base() const;
  const std::string& token() const;

  // The longest a getUpdates waits, whatever timeout it asks for (default 1 s).
  void set_max_long_poll(std::chrono::milliseconds cap);

  // Queues an update with a private-chat text message from user `chat_id` (a bot_command
  // entity when the text starts with '/'). Returns its update_id (ids count up by one from
  // 100000), or 0 when the bot's allowed_updates exclude messages (nothing is queued then).
  int64_t push_message(int64_t chat_id, const std::string& text,
                       const std::string& from_username = "analyst");
  // Queues an update with a callback_query from user `chat_id` pressing a button with `data`
  // under message `message_id` (0: the bot's latest message with a keyboard in that chat, else
  // its latest message). Its id is open for answerCallbackQuery until answered. Returns the
  // update_id, or 0 when filtered out by allowed_updates.
  int64_t push_callback(int64_t chat_id, const std::string& data, int64_t message_id = 0);
  // Queues any other update: an object with one field such as "edited_message"; the
  // update_id is added. Returns it, or 0 when filtered out by allowed_updates.
  int64_t push_update(nlohmann::json update);
  // Updates queued and not yet confirmed by an offset.
  std::size_t pending_updates() const;

  // From now on sends to this chat answer 403 "Forbidden: bot was blocked by the user".
  void block_chat(int64_t chat_id);
  // The next call of `method` (any case) answers `status` instead: 429 as "Too Many Requests:
  // retry after N" with parameters.retry_after = retry_after; other statuses with the usual
  // description ("Internal Server Error", "Bad Gateway", ...). Calls queue up per method.
  void fail_next(const std::string& method, int status, int retry_after = 0);

  // Everything the bot sent or edited successfully, in order.
  std::vector<SentMessage> sent() const;
  // Waits until sent() has at least `count` entries; false on timeout.
  bool wait_for_sent(std::size_t count, std::chrono::milliseconds timeout) const;
  std::vector<AnsweredCallback> answered_callbacks() const;
  // The highest offset any getUpdates carried (0 if none did).
  int64_t last_confirmed_offset() const;
  // The method names of all authorised calls, as the bot spelled them, in arrival order.
  std::vector<std::string> calls() const;
  // "<method>: <description>" of every error answered to an authorised call, injected ones
  // included, so a test can check the bot never got a 400.
  std::vector<std::string> errors() const;

  // Ends waiting getUpdates calls at once (with an empty result) and closes the server; later
  // calls cannot connect. Idempotent.
  void stop();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace da::fakes
