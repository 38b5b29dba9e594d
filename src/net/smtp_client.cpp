#include "da/net/smtp_client.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <ctime>
#include <memory>
#include <mutex>
#include <new>

#include <curl/curl.h>

#include "da/common/crypto.hpp"
#include "da/common/error.hpp"
#include "da/common/strings.hpp"
#include "da/net/ca_file.hpp"

namespace da::net {

namespace {

bool is_printable_ascii(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

// Addresses go verbatim into headers and SMTP commands, so anything that could end or
// extend them (line breaks, spaces, angle brackets, commas) is refused.
void check_address(std::string_view address, ErrorKind kind, const std::string& what) {
  auto at = address.find('@');
  bool valid = at != std::string_view::npos && at > 0 && at + 1 < address.size() &&
               std::all_of(address.begin(), address.end(), [](char c) {
                 return c > 0x20 && c < 0x7f && std::strchr("<>()[],;:\"\\", c) == nullptr;
               });
  if (!valid)
    throw Error(kind, what + " \"" + std::string(address) + "\" is not a plain e-mail address");
}

// RFC 2047 limits an encoded word to 75 characters; 39 bytes become a 64-character word, which
// still fits on a "Subject: " line of 78. Words break only between UTF-8 characters so each one
// decodes on its own.
std::string encoded_words(std::string_view text) {
  constexpr std::size_t kChunk = 39;
  std::string out;
  while (!text.empty()) {
    std::size_t length = std::min(kChunk, text.size());
    while (length < text.size() && length > 1 &&
           (static_cast<unsigned char>(text[length]) & 0xC0) == 0x80)
      --length;
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + base64_encode(text.substr(0, length)) + "?=";
    text.remove_prefix(length);
  }
  return out;
}

// Long text is encoded too: folding between encoded words keeps lines under RFC 5322's 998.
bool needs_encoding(std::string_view text) {
  return !is_printable_ascii(text) || text.find("=?") != std::string_view::npos ||
         text.size() > 900;
}

std::string header_text(std::string_view text) {
  return needs_encoding(text) ? encoded_words(text) : std::string(text);
}

std::string display_name(std::string_view name) {
  if (needs_encoding(name)) return encoded_words(name);
  bool atoms_only = std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::strchr(" !#$%&'*+-/=?^_`{|}~", c);
  });
  if (atoms_only) return std::string(name);
  std::string quoted = "\"";
  for (char c : name) {
    if (c == '"' || c == '\\') quoted.push_back('\\');
    quoted.push_back(c);
  }
  return quoted + "\"";
}

// Text is canonical with CRLF line breaks before it is base64-encoded (RFC 2045 §6.8).
std::string crlf_lines(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) out.push_back('\r');
    out.push_back(text[i]);
  }
  return out;
}

std::string base64_body(std::string_view text) {
  std::string encoded = base64_encode(crlf_lines(text));
  std::string out;
  for (std::size_t i = 0; i < encoded.size(); i += 76)
    out += encoded.substr(i, 76) + "\r\n";
  return out;
}

std::string part_headers(const char* type) {
  return std::string("Content-Type: ") + type +
         "; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n";
}

// Fixed English names: strftime's %a and %b follow the process locale.
std::string rfc5322_date(std::time_t now) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::tm tm{};
  gmtime_r(&now, &tm);
  char clock_time[16];
  std::strftime(clock_time, sizeof clock_time, "%H:%M:%S", &tm);
  return std::string(kDays[tm.tm_wday]) + ", " + std::to_string(tm.tm_mday) + " " +
         kMonths[tm.tm_mon] + " " + std::to_string(tm.tm_year + 1900) + " " + clock_time + " +0000";
}

std::string mime_body(const MailMessage& message) {
  if (message.html_body.empty()) return part_headers("text/plain") + base64_body(message.text_body);
  std::string boundary = "=_da_" + random_token(18);
  std::string body =
      "Content-Type: multipart/alternative;\r\n boundary=\"" + boundary + "\"\r\n\r\n";
  body += "--" + boundary + "\r\n" + part_headers("text/plain") + base64_body(message.text_body);
  body += "--" + boundary + "\r\n" + part_headers("text/html") + base64_body(message.html_body);
  return body + "--" + boundary + "--\r\n";
}

struct Session {
  std::string upload;
  std::size_t offset = 0;
  std::string last_refusal;  // the server's latest 4xx/5xx reply line, for error messages
};

size_t read_upload(char* buffer, size_t size, size_t count, void* user) noexcept {
  auto* session = static_cast<Session*>(user);
  size_t n = std::min(size * count, session->upload.size() - session->offset);
  std::memcpy(buffer, session->upload.data() + session->offset, n);
  session->offset += n;
  return n;
}

// Only what the server says (CURLINFO_HEADER_IN) is looked at: what we send includes AUTH.
// The last refusal is kept because curl's closing QUIT brings one more, successful, reply.
int on_debug(CURL*, curl_infotype type, char* data, size_t size, void* user) noexcept {
  if (type != CURLINFO_HEADER_IN || size == 0 || (data[0] != '4' && data[0] != '5')) return 0;
  auto* session = static_cast<Session*>(user);
  try {
    session->last_refusal = std::string(trim(std::string_view(data, size)));
  } catch (...) {
    session->last_refusal.clear();
  }
  return 0;
}

std::string smtp_url(const SmtpSettings& s) {
  bool ipv6 = s.host.find(':') != std::string::npos && s.host.front() != '[';
  std::string host = ipv6 ? "[" + s.host + "]" : s.host;
  return (s.port == 465 ? "smtps://" : "smtp://") + host + ":" + std::to_string(s.port);
}

void set_options(CURL* handle, const SmtpSettings& s, Session& session, const std::string& url) {
  curl_easy_setopt(handle, CURLOPT_URL, url.c_str());
  curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_TCP_NODELAY, 1L);
  // One budget for the whole conversation: send() never blocks longer than `timeout`.
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(s.timeout.count()));
  curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, static_cast<long>(s.timeout.count()));
  if (s.use_tls && s.port != 465)
    curl_easy_setopt(handle, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
  if (!s.ca_file.empty()) curl_easy_setopt(handle, CURLOPT_CAINFO, s.ca_file.c_str());
  if (!s.user.empty()) {
    curl_easy_setopt(handle, CURLOPT_USERNAME, s.user.c_str());
    curl_easy_setopt(handle, CURLOPT_PASSWORD, s.password.c_str());
  }
  curl_easy_setopt(handle, CURLOPT_READFUNCTION, read_upload);
  curl_easy_setopt(handle, CURLOPT_READDATA, &session);
  curl_easy_setopt(handle, CURLOPT_INFILESIZE_LARGE,
                   static_cast<curl_off_t>(session.upload.size()));
  curl_easy_setopt(handle, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(handle, CURLOPT_VERBOSE, 1L);  // feeds on_debug; nothing is printed
  curl_easy_setopt(handle, CURLOPT_DEBUGFUNCTION, on_debug);
  curl_easy_setopt(handle, CURLOPT_DEBUGDATA, &session);
}

std::string failure(const SmtpSettings& s, CURLcode code, const char* error_buffer,
                    const Session& session) {
  std::string message = "SMTP " + s.host + ":" + std::to_string(s.port) + ": " +
                        (error_buffer[0] ? error_buffer : curl_easy_strerror(code));
  if (code == CURLE_PEER_FAILED_VERIFICATION) {
    message += " (checked against " + (s.ca_file.empty() ? "" : s.ca_file.string() + " and ") +
               "the system's CA certificates)";
  }
  if (!session.last_refusal.empty())
    message += " (server replied \"" + session.last_refusal + "\")";
  // Belt and braces: whatever a server or curl echoes, the password never leaves here.
  return s.password.empty() ? message : replace_all(message, s.password, "***");
}

}  // namespace

std::string format_mail(const SmtpSettings& settings, const MailMessage& message) {
  check_address(settings.from_address, ErrorKind::kConfig, "the sender address");
  check_address(message.to, ErrorKind::kData, "the recipient address");
  std::string from_domain = settings.from_address.substr(settings.from_address.find('@') + 1);
  std::string from = "<" + settings.from_address + ">";
  if (!settings.from_name.empty()) from = display_name(settings.from_name) + " " + from;
  std::string mail = "From: " + from + "\r\n";
  mail += "To: <" + message.to + ">\r\n";
  mail += "Subject: " + header_text(message.subject) + "\r\n";
  mail += "Date: " + rfc5322_date(std::time(nullptr)) + "\r\n";
  mail += "Message-ID: <" + random_token(18) + "@" + from_domain + ">\r\n";
  mail += "MIME-Version: 1.0\r\n";
  return mail + mime_body(message);
}

void SmtpClient::send(const MailMessage& message) const {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
      throw Error(ErrorKind::kInternal, "libcurl could not be initialised");
  });
  if (settings_.host.empty()) throw Error(ErrorKind::kConfig, "SMTP: no relay host is configured");
  if (!settings_.ca_file.empty()) check_ca_file(settings_.ca_file, "the SMTP CA file");
  Session session;
  session.upload = format_mail(settings_, message);
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) throw Error(ErrorKind::kInternal, "libcurl could not create a handle");
  std::string url = smtp_url(settings_);
  set_options(curl.get(), settings_, session, url);
  std::string from = "<" + settings_.from_address + ">";
  curl_easy_setopt(curl.get(), CURLOPT_MAIL_FROM, from.c_str());
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> recipients(
      curl_slist_append(nullptr, ("<" + message.to + ">").c_str()), curl_slist_free_all);
  if (!recipients) throw std::bad_alloc();
  curl_easy_setopt(curl.get(), CURLOPT_MAIL_RCPT, recipients.get());
  char error_buffer[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, error_buffer);
  CURLcode code = curl_easy_perform(curl.get());
  if (code != CURLE_OK)
    throw Error(ErrorKind::kSource, failure(settings_, code, error_buffer, session));
}

}  // namespace da::net
