#include "fakes/telegram/fake_telegram.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string_view>
#include <utility>

#include "fakes/keboola/wire_server.hpp"

#include "da/common/strings.hpp"

namespace da::fakes {

using nlohmann::json;

namespace {

constexpr int64_t kFirstUpdateId = 100000;
constexpr int64_t kDefaultBotId = 7000000001;
constexpr char kBotFirstName[] = "DA Test Bot";
constexpr char kBotUsername[] = "da_test_bot";
constexpr std::size_t kMaxTextLength = 4096;
constexpr std::size_t kMaxCaptionLength = 1024;
constexpr std::size_t kMaxCallbackData = 64;
constexpr int64_t kMaxPhotoSides = 10000;
constexpr int64_t kMaxPhotoRatio = 20;

int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool is_first_code_unit(unsigned char c) { return (c & 0xC0) != 0x80; }

// Entity offsets and lengths count UTF-16 code units.
int64_t utf16_units(std::string_view text) {
  int64_t units = 0;
  for (unsigned char c : text)
    if (is_first_code_unit(c)) units += c >= 0xF0 ? 2 : 1;
  return units;
}

std::size_t code_points(std::string_view text) {
  std::size_t count = 0;
  for (unsigned char c : text)
    if (is_first_code_unit(c)) ++count;
  return count;
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

std::optional<int64_t> parse_int(std::string_view text) {
  text = trim(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty())
    return std::nullopt;
  return value;
}

void append_utf8(std::string& out, uint32_t code_point) {
  if (code_point < 0x80) {
    out += static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    out += static_cast<char>(0xC0 | (code_point >> 6));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    out += static_cast<char>(0xE0 | (code_point >> 12));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code_point >> 18));
    out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  }
}

json make_entity(const std::string& type, int64_t offset, int64_t length) {
  return {{"type", type}, {"offset", offset}, {"length", length}};
}

// A link as the server accepts it in a text_link entity (normalised), or nullopt when it is
// not one, in which case the server silently drops the entity rather than failing.
std::optional<std::string> checked_link(std::string_view raw) {
  std::string url(trim(raw));
  if (url.empty()) return std::nullopt;
  std::string lower = to_lower(url);
  if (lower.starts_with("tg:")) return url;
  std::size_t host_begin = 0;
  if (auto scheme_end = lower.find("://"); scheme_end != std::string::npos) {
    std::string scheme = lower.substr(0, scheme_end);
    if (scheme != "http" && scheme != "https" && scheme != "ton" && scheme != "tg")
      return std::nullopt;
    host_begin = scheme_end + 3;
  } else {
    url = "http://" + url;
    host_begin = 7;
  }
  std::size_t host_end = url.find_first_of("/?#", host_begin);
  std::string_view host = std::string_view(url).substr(
      host_begin, host_end == std::string::npos ? std::string::npos : host_end - host_begin);
  if (host.empty() || host.find('.') == std::string_view::npos) return std::nullopt;
  for (char c : host)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != ':' &&
        c != '_' && static_cast<unsigned char>(c) < 0x80)
      return std::nullopt;
  if (host_end == std::string::npos)
    url += '/';
  else if (url[host_end] != '/')
    url.insert(host_end, "/");
  return url;
}

// ---------------------------------------------------------------------------------------------
// Formatted text: what the server makes of text + parse_mode.

struct Formatted {
  std::string text;
  json entities = json::array();
};

// Builds the output text, counting UTF-16 units as it goes.
class TextBuilder {
 public:
  void add(char c) {
    text_ += c;
    if (is_first_code_unit(static_cast<unsigned char>(c)))
      units_ += static_cast<unsigned char>(c) >= 0xF0 ? 2 : 1;
  }
  void add(std::string_view piece) {
    for (char c : piece) add(c);
  }
  int64_t units() const { return units_; }
  std::size_t size() const { return text_.size(); }
  const std::string& text() const { return text_; }
  std::string take() { return std::move(text_); }

 private:
  std::string text_;
  int64_t units_ = 0;
};

void sort_entities(json& entities) {
  std::stable_sort(entities.begin(), entities.end(), [](const json& a, const json& b) {
    if (a["offset"] != b["offset"]) return a["offset"].get<int64_t>() < b["offset"].get<int64_t>();
    return a["length"].get<int64_t>() > b["length"].get<int64_t>();
  });
}

// MarkdownV2 as the server reads it. Markers are matched against the innermost open entity
// only: a marker that does not close it opens a new entity, which is why "*a _b* c_" fails
// on the second '*' only at the end (the bold is never closed).
class MarkdownV2Parser {
 public:
  explicit MarkdownV2Parser(std::string_view input) : in_(input) {}

  // Fills `result`; on failure the server's description of the first problem.
  std::optional<std::string> parse(Formatted& result) {
    std::size_t i = 0;
    while (i < in_.size())
      if (auto problem = step(i)) return problem;
    if (auto problem = finish()) return problem;
    sort_entities(entities_);
    result.text = out_.take();
    result.entities = std::move(entities_);
    return std::nullopt;
  }

 private:
  enum class Kind {
    kBold, kItalic, kUnderline, kStrike, kSpoiler, kTextUrl, kCode, kPre, kPreCode,
    kCustomEmoji, kQuote
  };
  struct Open {
    Kind kind;
    std::size_t byte;      // where its marker starts in the input (for error messages)
    int64_t units;         // where it starts in the output, in UTF-16 units
    std::size_t text_pos;  // where it starts in the output, in bytes
    std::string language;
  };

  static constexpr std::string_view kReserved = "_*[]()~`>#+-=|{}.!\n";

  static const char* name(Kind kind) {
    switch (kind) {
      case Kind::kBold: return "Bold";
      case Kind::kItalic: return "Italic";
      case Kind::kUnderline: return "Underline";
      case Kind::kStrike: return "Strikethrough";
      case Kind::kSpoiler: return "Spoiler";
      case Kind::kTextUrl: return "TextUrl";
      case Kind::kCode: return "Code";
      case Kind::kPre: return "Pre";
      case Kind::kPreCode: return "PreCode";
      case Kind::kCustomEmoji: return "CustomEmoji";
      case Kind::kQuote: return "BlockQuote";
    }
    return "";
  }

  static const char* entity_type(Kind kind) {
    switch (kind) {
      case Kind::kBold: return "bold";
      case Kind::kItalic: return "italic";
      case Kind::kUnderline: return "underline";
      case Kind::kStrike: return "strikethrough";
      case Kind::kSpoiler: return "spoiler";
      case Kind::kTextUrl: return "text_link";
      case Kind::kCode: return "code";
      case Kind::kPre:
      case Kind::kPreCode: return "pre";
      case Kind::kCustomEmoji: return "custom_emoji";
      case Kind::kQuote: return "blockquote";
    }
    return "";
  }

  char at(std::size_t i) const { return i < in_.size() ? in_[i] : '\0'; }
  static bool escapable(char c) { return c >= 1 && c <= 126; }

  bool in_code() const {
    if (open_.empty()) return false;
    Kind kind = open_.back().kind;
    return kind == Kind::kCode || kind == Kind::kPre || kind == Kind::kPreCode;
  }

  static std::string reserved(char c) {
    return std::string("Character '") + c + "' is reserved and must be escaped with the preceding '\\'";
  }
  static std::string unclosed(const Open& open) {
    return std::string("Can't find end of ") + name(open.kind) + " entity at byte offset " +
           std::to_string(open.byte);
  }

  void push(Kind kind, std::size_t byte, std::string language = {}) {
    open_.push_back(Open{kind, byte, out_.units(), out_.size(), std::move(language)});
  }

  void add_entity(const Open& open, const std::string& type, json extra = json::object()) {
    json entity = make_entity(type, open.units, out_.units() - open.units);
    for (auto& [key, value] : extra.items()) entity[key] = value;
    entities_.push_back(std::move(entity));
  }

  std::optional<std::string> step(std::size_t& i) {
    char c = in_[i];
    if (c == '\\' && escapable(at(i + 1))) {
      char escaped = in_[i + 1];
      out_.add(escaped);
      if (escaped != '\r') line_start_ = escaped == '\n';
      i += 2;
      return std::nullopt;
    }
    bool is_reserved = in_code() ? c == '`' : kReserved.find(c) != std::string_view::npos;
    if (!is_reserved) {
      out_.add(c);
      if (c != '\r') line_start_ = false;
      ++i;
      return std::nullopt;
    }
    return closes_innermost(i) ? close(i) : open(i);
  }

  bool closes_innermost(std::size_t i) const {
    if (open_.empty()) return false;
    char c = in_[i];
    if (quote_open_ && c == '\n' && at(i + 1) != '>') return true;
    switch (open_.back().kind) {
      case Kind::kBold: return c == '*';
      case Kind::kItalic: return c == '_' && at(i + 1) != '_';
      case Kind::kUnderline: return c == '_' && at(i + 1) == '_';
      case Kind::kStrike: return c == '~';
      case Kind::kSpoiler: return c == '|' && at(i + 1) == '|';
      case Kind::kTextUrl:
      case Kind::kCustomEmoji: return c == ']';
      case Kind::kCode: return c == '`';
      case Kind::kPre:
      case Kind::kPreCode: return c == '`' && at(i + 1) == '`' && at(i + 2) == '`';
      case Kind::kQuote: return false;
    }
    return false;
  }

  std::optional<std::string> open(std::size_t& i) {
    const std::size_t start = i;
    const char c = in_[i];
    switch (c) {
      case '_':
        if (at(i + 1) == '_') {
          push(Kind::kUnderline, start);
          i += 2;
        } else {
          push(Kind::kItalic, start);
          ++i;
        }
        return std::nullopt;
      case '*':
        push(Kind::kBold, start);
        ++i;
        return std::nullopt;
      case '~':
        push(Kind::kStrike, start);
        ++i;
        return std::nullopt;
      case '|':
        if (at(i + 1) != '|') return reserved(c);
        push(Kind::kSpoiler, start);
        i += 2;
        return std::nullopt;
      case '[':
        push(Kind::kTextUrl, start);
        ++i;
        return std::nullopt;
      case '!':
        if (at(i + 1) != '[') return reserved(c);
        push(Kind::kCustomEmoji, start);
        i += 2;
        return std::nullopt;
      case '`':
        if (at(i + 1) == '`' && at(i + 2) == '`') {
          open_pre(i);
        } else {
          push(Kind::kCode, start);
          ++i;
        }
        return std::nullopt;
      case '\n':
        out_.add('\n');
        line_start_ = true;
        ++i;
        return std::nullopt;
      case '>':
        if (!line_start_) return reserved(c);
        // Further '>' at line starts continue the open quote.
        if (!quote_open_) {
          push(Kind::kQuote, start);
          quote_open_ = true;
        }
        ++i;
        return std::nullopt;
      default:
        return reserved(c);
    }
  }

  // "```lang\n...```": a word right after the backticks that is followed by a space or a
  // line break names the language; one line break after the opening is not part of the text.
  void open_pre(std::size_t& i) {
    const std::size_t start = i;
    std::size_t j = i + 3;
    std::size_t word_end = j;
    while (word_end < in_.size() && !is_space(in_[word_end]) && in_[word_end] != '`') ++word_end;
    if (word_end > j && word_end < in_.size() && in_[word_end] != '`') {
      push(Kind::kPreCode, start, std::string(in_.substr(j, word_end - j)));
      j = word_end;
    } else {
      push(Kind::kPre, start);
    }
    if (at(j) == '\n' || at(j) == '\r') {
      bool pair = (at(j + 1) == '\n' || at(j + 1) == '\r') && at(j) != at(j + 1);
      j += pair ? 2 : 1;
    }
    i = j;
  }

  // Reads "(...)" after a link's ']' at `i`; the URL with its escapes resolved.
  std::optional<std::string> read_url(std::size_t& i, const char* what, std::string& url) {
    std::size_t j = i + 2;
    const std::size_t begin = j;
    while (j < in_.size() && in_[j] != ')') {
      if (in_[j] == '\\' && escapable(at(j + 1))) {
        url += in_[j + 1];
        j += 2;
      } else {
        url += in_[j++];
      }
    }
    if (j >= in_.size())
      return std::string("Can't find end of ") + what + " at byte offset " + std::to_string(begin);
    i = j + 1;
    return std::nullopt;
  }

  std::optional<std::string> close_quote(std::size_t& i, const char* type) {
    Open quote = open_.back();
    open_.pop_back();
    // The line break that ends a quote belongs to it.
    out_.add('\n');
    add_entity(quote, type);
    quote_open_ = false;
    line_start_ = true;
    ++i;
    return std::nullopt;
  }

  std::optional<std::string> close(std::size_t& i) {
    const char c = in_[i];
    Open top = open_.back();
    if (c == '\n' && top.kind != Kind::kQuote) {
      // Only a quote ends at a line break, and "||" right before it makes it expandable.
      bool marker = top.kind == Kind::kSpoiler &&
                    (top.byte + 2 == i ||
                     (top.byte + 3 == i && out_.size() > 0 && out_.text().back() == '\r'));
      if (!marker) return unclosed(top);
      open_.pop_back();
      if (open_.back().kind != Kind::kQuote) return unclosed(open_.back());
      return close_quote(i, "expandable_blockquote");
    }
    if (top.kind == Kind::kQuote) return close_quote(i, "blockquote");

    bool skip = out_.units() == top.units;  // empty entities vanish
    json extra = json::object();
    switch (top.kind) {
      case Kind::kBold:
      case Kind::kItalic:
      case Kind::kStrike:
      case Kind::kCode:
        ++i;
        break;
      case Kind::kUnderline:
      case Kind::kSpoiler:
        i += 2;
        break;
      case Kind::kPre:
        i += 3;
        break;
      case Kind::kPreCode:
        i += 3;
        extra["language"] = top.language;
        break;
      case Kind::kTextUrl: {
        std::string url;
        if (at(i + 1) == '(') {
          if (auto problem = read_url(i, "a URL", url)) return problem;
        } else {
          url = out_.text().substr(top.text_pos);
          ++i;
        }
        auto link = checked_link(url);
        if (!link) skip = true;
        else extra["url"] = *link;
        break;
      }
      case Kind::kCustomEmoji: {
        if (at(i + 1) != '(') return std::string("Custom emoji entity must contain a tg://emoji URL");
        std::string url;
        if (auto problem = read_url(i, "a custom emoji URL", url)) return problem;
        std::string lower = to_lower(url);
        constexpr std::string_view kPrefix = "tg://emoji?id=";
        auto id = lower.starts_with(kPrefix) ? parse_int(std::string_view(lower).substr(kPrefix.size()))
                                             : std::nullopt;
        if (!id || *id <= 0) return std::string("Custom emoji URL must have an emoji identifier");
        extra["custom_emoji_id"] = std::to_string(*id);
        break;
      }
      case Kind::kQuote:
        break;
    }
    open_.pop_back();
    if (!skip) add_entity(top, entity_type(top.kind), std::move(extra));
    return std::nullopt;
  }

  std::optional<std::string> finish() {
    if (quote_open_) {
      if (open_.back().kind == Kind::kSpoiler && open_.back().byte + 2 == in_.size()) {
        open_.pop_back();
        Open quote = open_.back();
        if (quote.kind == Kind::kQuote) {
          open_.pop_back();
          if (out_.units() != quote.units) add_entity(quote, "expandable_blockquote");
          quote_open_ = false;
        }
      } else if (open_.back().kind == Kind::kQuote) {
        Open quote = open_.back();
        open_.pop_back();
        if (out_.units() != quote.units) add_entity(quote, "blockquote");
        quote_open_ = false;
      }
    }
    if (!open_.empty()) return unclosed(open_.back());
    return std::nullopt;
  }

  std::string_view in_;
  TextBuilder out_;
  json entities_ = json::array();
  std::vector<Open> open_;
  bool quote_open_ = false;
  bool line_start_ = true;
};

// The legacy Markdown mode: *bold*, _italic_, `code`, ```pre```, [text](url); entities do not
// nest and '\' escapes only _ * ` [ outside them.
std::optional<std::string> parse_markdown(std::string_view in, Formatted& result) {
  TextBuilder out;
  json entities = json::array();
  auto at = [&](std::size_t i) { return i < in.size() ? in[i] : '\0'; };
  constexpr std::string_view kMarkers = "_*`[";
  std::size_t i = 0;
  while (i < in.size()) {
    char c = in[i];
    if (c == '\\' && kMarkers.find(at(i + 1)) != std::string_view::npos) {
      out.add(in[i + 1]);
      i += 2;
      continue;
    }
    if (kMarkers.find(c) == std::string_view::npos) {
      out.add(c);
      ++i;
      continue;
    }
    const std::size_t begin = i;
    const int64_t offset = out.units();
    const std::string unclosed =
        "Can't find end of the entity starting at byte offset " + std::to_string(begin);
    if (c == '`' && at(i + 1) == '`' && at(i + 2) == '`') {
      std::size_t j = i + 3;
      std::string language;
      std::size_t line_end = in.find('\n', j);
      std::size_t close = in.find("```", j);
      if (close == std::string_view::npos) return unclosed;
      if (line_end != std::string_view::npos && line_end < close) {
        std::string_view word = in.substr(j, line_end - j);
        if (!word.empty() && std::none_of(word.begin(), word.end(), is_space)) {
          language = std::string(word);
          j = line_end + 1;
        }
      }
      out.add(in.substr(j, close - j));
      json entity = make_entity("pre", offset, out.units() - offset);
      if (!language.empty()) entity["language"] = language;
      if (out.units() > offset) entities.push_back(entity);
      i = close + 3;
      continue;
    }
    const char end_char = c == '[' ? ']' : c;
    std::size_t close = in.find(end_char, i + 1);
    if (close == std::string_view::npos) return unclosed;
    out.add(in.substr(i + 1, close - i - 1));
    i = close + 1;
    if (c == '[') {
      std::string url;
      if (at(i) == '(') {
        std::size_t url_end = in.find(')', i + 1);
        if (url_end == std::string_view::npos)
          return "Can't find end of a URL at byte offset " + std::to_string(i + 1);
        url = std::string(in.substr(i + 1, url_end - i - 1));
        i = url_end + 1;
      } else {
        url = out.text().substr(out.text().size() - (close - begin - 1));
      }
      if (auto link = checked_link(url); link && out.units() > offset) {
        json entity = make_entity("text_link", offset, out.units() - offset);
        entity["url"] = *link;
        entities.push_back(entity);
      }
      continue;
    }
    const char* type = c == '*' ? "bold" : c == '_' ? "italic" : "code";
    if (out.units() > offset) entities.push_back(make_entity(type, offset, out.units() - offset));
  }
  sort_entities(entities);
  result.text = out.take();
  result.entities = std::move(entities);
  return std::nullopt;
}

// HTML mode: the tags Telegram supports, &lt; &gt; &amp; &quot; and numeric character
// references; anything else in angle brackets is refused.
std::optional<std::string> parse_html(std::string_view in, Formatted& result) {
  struct Tag {
    std::string name;
    int64_t units;
    std::map<std::string, std::string> attributes;
  };
  static const std::set<std::string> kTags = {
      "a",   "b",    "strong", "i",          "em",         "u",        "ins",  "s",
      "strike", "del", "span", "tg-spoiler", "tg-emoji", "code", "pre", "blockquote"};
  auto at = [&](std::size_t i) { return i < in.size() ? in[i] : '\0'; };
  auto is_name_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  };
  TextBuilder out;
  json entities = json::array();
  std::vector<Tag> open;

  auto decode_reference = [&](std::size_t& i, std::string& target) {
    std::size_t semicolon = in.find(';', i + 1);
    if (semicolon == std::string_view::npos || semicolon - i > 10) return false;
    std::string name(in.substr(i + 1, semicolon - i - 1));
    std::optional<uint32_t> code_point;
    if (name == "lt") code_point = '<';
    else if (name == "gt") code_point = '>';
    else if (name == "amp") code_point = '&';
    else if (name == "quot") code_point = '"';
    else if (name.size() > 1 && name[0] == '#') {
      bool hex = name[1] == 'x' || name[1] == 'X';
      std::string_view digits = std::string_view(name).substr(hex ? 2 : 1);
      uint32_t value = 0;
      auto [end, error] =
          std::from_chars(digits.data(), digits.data() + digits.size(), value, hex ? 16 : 10);
      if (error == std::errc() && end == digits.data() + digits.size() && !digits.empty() &&
          value > 0 && value <= 0x10FFFF && (value < 0xD800 || value > 0xDFFF))
        code_point = value;
    }
    if (!code_point) return false;
    append_utf8(target, *code_point);
    i = semicolon + 1;
    return true;
  };

  std::size_t i = 0;
  while (i < in.size()) {
    char c = in[i];
    if (c == '&') {
      std::string decoded;
      if (decode_reference(i, decoded)) {
        out.add(decoded);
      } else {
        out.add('&');
        ++i;
      }
      continue;
    }
    if (c != '<') {
      out.add(c);
      ++i;
      continue;
    }
    const std::size_t begin = i;
    if (at(i + 1) == '/') {
      std::size_t j = i + 2;
      while (is_name_char(at(j))) ++j;
      std::string name = to_lower(in.substr(i + 2, j - i - 2));
      while (is_space(at(j))) ++j;
      if (at(j) != '>') return "Unclosed end tag at byte offset " + std::to_string(begin);
      if (open.empty()) return "Unexpected end tag at byte offset " + std::to_string(begin);
      if (name != open.back().name)
        return "Unmatched end tag at byte offset " + std::to_string(begin) + ", expected \"</" +
               open.back().name + ">\", found \"</" + name + ">\"";
      Tag tag = std::move(open.back());
      open.pop_back();
      i = j + 1;
      int64_t length = out.units() - tag.units;
      if (length == 0) continue;
      json entity;
      const std::string& n = tag.name;
      if (n == "b" || n == "strong") entity = make_entity("bold", tag.units, length);
      else if (n == "i" || n == "em") entity = make_entity("italic", tag.units, length);
      else if (n == "u" || n == "ins") entity = make_entity("underline", tag.units, length);
      else if (n == "s" || n == "strike" || n == "del")
        entity = make_entity("strikethrough", tag.units, length);
      else if (n == "span" || n == "tg-spoiler") entity = make_entity("spoiler", tag.units, length);
      else if (n == "code") {
        if (!open.empty() && open.back().name == "pre") continue;  // the block's language only
        entity = make_entity("code", tag.units, length);
      }
      else if (n == "pre") {
        entity = make_entity("pre", tag.units, length);
        if (tag.attributes.count("language")) entity["language"] = tag.attributes["language"];
      }
      else if (n == "blockquote")
        entity = make_entity(tag.attributes.count("expandable") ? "expandable_blockquote"
                                                                : "blockquote",
                             tag.units, length);
      else if (n == "tg-emoji") {
        entity = make_entity("custom_emoji", tag.units, length);
        entity["custom_emoji_id"] = tag.attributes["emoji-id"];
      } else if (n == "a") {
        auto link = checked_link(tag.attributes["href"]);
        if (!link) continue;
        entity = make_entity("text_link", tag.units, length);
        entity["url"] = *link;
      }
      entities.push_back(entity);
      continue;
    }
    std::size_t j = i + 1;
    while (is_name_char(at(j))) ++j;
    std::string name = to_lower(in.substr(i + 1, j - i - 1));
    if (kTags.count(name) == 0)
      return "Unsupported start tag \"" + name + "\" at byte offset " + std::to_string(begin);
    Tag tag{name, out.units(), {}};
    for (;;) {
      while (is_space(at(j))) ++j;
      if (j >= in.size()) return "Unclosed start tag at byte offset " + std::to_string(begin);
      if (in[j] == '>') break;
      std::size_t name_begin = j;
      while (is_name_char(at(j))) ++j;
      if (j == name_begin)
        return "Empty attribute name in the tag \"" + name + "\" at byte offset " +
               std::to_string(begin);
      std::string attribute = to_lower(in.substr(name_begin, j - name_begin));
      std::string value;
      while (is_space(at(j))) ++j;
      if (at(j) == '=') {
        ++j;
        while (is_space(at(j))) ++j;
        char quote = at(j);
        if (quote == '"' || quote == '\'') {
          std::size_t value_end = in.find(quote, j + 1);
          if (value_end == std::string_view::npos)
            return "Unclosed start tag at byte offset " + std::to_string(begin);
          for (std::size_t k = j + 1; k < value_end;) {
            if (in[k] != '&' || !decode_reference(k, value)) value += in[k++];
          }
          j = value_end + 1;
        } else {
          while (j < in.size() && !is_space(in[j]) && in[j] != '>') value += in[j++];
        }
      }
      tag.attributes[attribute] = value;
    }
    i = j + 1;
    if (name == "span" && tag.attributes["class"] != "tg-spoiler")
      return "Tag \"span\" must have class \"tg-spoiler\" at byte offset " + std::to_string(begin);
    if (name == "code" && !open.empty() && open.back().name == "pre") {
      // <pre><code class="language-x"> names the block's language.
      auto cls = tag.attributes["class"];
      if (cls.starts_with("language-")) open.back().attributes["language"] = cls.substr(9);
    }
    open.push_back(std::move(tag));
  }
  if (!open.empty())
    return "Can't find end tag corresponding to start tag \"" + open.back().name + "\"";
  sort_entities(entities);
  result.text = out.take();
  result.entities = std::move(entities);
  return std::nullopt;
}

// The server drops surrounding white space (and entities with it) before checking lengths.
void trim_formatted(Formatted& formatted) {
  const std::string& text = formatted.text;
  std::size_t left = 0;
  while (left < text.size() && is_space(text[left])) ++left;
  std::size_t right = text.size();
  while (right > left && is_space(text[right - 1])) --right;
  if (left == 0 && right == text.size()) return;
  std::string kept = text.substr(left, right - left);
  const int64_t shift = static_cast<int64_t>(left);  // white space is ASCII: bytes == units
  const int64_t total = utf16_units(kept);
  json entities = json::array();
  for (json entity : formatted.entities) {
    int64_t begin = std::max<int64_t>(0, entity["offset"].get<int64_t>() - shift);
    int64_t end = std::min<int64_t>(
        total, entity["offset"].get<int64_t>() + entity["length"].get<int64_t>() - shift);
    if (end <= begin) continue;
    entity["offset"] = begin;
    entity["length"] = end - begin;
    entities.push_back(std::move(entity));
  }
  formatted.text = std::move(kept);
  formatted.entities = std::move(entities);
}

// Parses `text` in `parse_mode`; on failure the whole description ("Bad Request: ...").
std::optional<std::string> format_text(const std::string& text, const std::string& parse_mode,
                                       Formatted& result) {
  if (!is_valid_utf8(text)) return "Bad Request: text must be encoded in UTF-8";
  std::string mode = to_lower(trim(parse_mode));
  std::optional<std::string> problem;
  if (mode.empty()) result.text = text;
  else if (mode == "markdownv2") problem = MarkdownV2Parser(text).parse(result);
  else if (mode == "markdown") problem = parse_markdown(text, result);
  else if (mode == "html") problem = parse_html(text, result);
  else return "Bad Request: unsupported parse_mode";
  if (problem) return "Bad Request: can't parse entities: " + *problem;
  trim_formatted(result);
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// Requests.

struct FilePart {
  std::string filename;
  std::string data;
};

struct Call {
  std::string method;  // as spelled in the URL
  std::string name;    // lower case
  std::map<std::string, json> params;
  std::map<std::string, FilePart> files;

  const json* param(const std::string& key) const {
    auto it = params.find(key);
    return it == params.end() || it->second.is_null() ? nullptr : &it->second;
  }
  std::optional<std::string> text(const std::string& key) const {
    const json* value = param(key);
    if (value == nullptr) return std::nullopt;
    if (value->is_string()) return value->get<std::string>();
    if (value->is_boolean()) return value->get<bool>() ? "true" : "false";
    return value->dump();
  }
  std::optional<int64_t> integer(const std::string& key) const {
    const json* value = param(key);
    if (value == nullptr) return std::nullopt;
    if (value->is_number_integer()) return value->get<int64_t>();
    if (value->is_number_float()) return static_cast<int64_t>(value->get<double>());
    if (value->is_string()) return parse_int(value->get<std::string>());
    return std::nullopt;
  }
  bool flag(const std::string& key) const {
    const json* value = param(key);
    if (value == nullptr) return false;
    if (value->is_boolean()) return value->get<bool>();
    auto word = to_lower(text(key).value_or(""));
    return word == "true" || word == "1";
  }
};

// "multipart/form-data; boundary=x" -> {"boundary": "x"}, names lower case, quotes removed.
std::map<std::string, std::string> header_parameters(std::string_view value) {
  std::map<std::string, std::string> out;
  std::vector<std::string> pieces = split(value, ';');
  for (std::size_t k = 1; k < pieces.size(); ++k) {
    std::string_view piece = trim(pieces[k]);
    auto equals = piece.find('=');
    if (equals == std::string_view::npos) continue;
    std::string key = to_lower(trim(piece.substr(0, equals)));
    std::string_view raw = trim(piece.substr(equals + 1));
    std::string parsed;
    if (raw.size() >= 2 && raw.front() == '"' && raw.back() == '"') {
      raw = raw.substr(1, raw.size() - 2);
      for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '\\' && i + 1 < raw.size()) ++i;
        parsed += raw[i];
      }
    } else {
      parsed = std::string(raw);
    }
    out[key] = parsed;
  }
  return out;
}

// Content-Disposition values may carry ';' inside quoted filenames, so they are split by hand.
std::map<std::string, std::string> disposition_parameters(std::string_view value) {
  std::map<std::string, std::string> out;
  std::size_t i = value.find(';');
  while (i != std::string_view::npos && i < value.size()) {
    ++i;
    while (i < value.size() && is_space(value[i])) ++i;
    std::size_t equals = value.find('=', i);
    if (equals == std::string_view::npos) break;
    std::string key = to_lower(trim(value.substr(i, equals - i)));
    std::size_t j = equals + 1;
    std::string parsed;
    if (j < value.size() && value[j] == '"') {
      ++j;
      while (j < value.size() && value[j] != '"') {
        if (value[j] == '\\' && j + 1 < value.size()) ++j;
        parsed += value[j++];
      }
      ++j;
    } else {
      while (j < value.size() && value[j] != ';') parsed += value[j++];
      parsed = std::string(trim(parsed));
    }
    out[key] = parsed;
    i = value.find(';', j);
  }
  return out;
}

bool parse_multipart(std::string_view content_type, std::string_view body, Call& call) {
  auto parameters = header_parameters(content_type);
  auto boundary_it = parameters.find("boundary");
  if (boundary_it == parameters.end() || boundary_it->second.empty()) return false;
  const std::string delimiter = "--" + boundary_it->second;
  std::size_t position = body.find(delimiter);
  if (position == std::string_view::npos) return false;
  for (;;) {
    position += delimiter.size();
    if (body.substr(position, 2) == "--") return true;
    if (body.substr(position, 2) != "\r\n") return false;
    position += 2;
    std::size_t head_end = body.find("\r\n\r\n", position);
    if (head_end == std::string_view::npos) return false;
    std::string_view head = body.substr(position, head_end - position);
    std::size_t content_begin = head_end + 4;
    std::size_t next = body.find("\r\n" + delimiter, content_begin);
    if (next == std::string_view::npos) return false;
    std::string_view content = body.substr(content_begin, next - content_begin);
    std::string name;
    std::optional<std::string> filename;
    for (const std::string& line : split(head, '\n')) {
      std::string_view header = trim(line);
      auto colon = header.find(':');
      if (colon == std::string_view::npos) continue;
      if (to_lower(trim(header.substr(0, colon))) != "content-disposition") continue;
      auto values = disposition_parameters(header.substr(colon + 1));
      name = values["name"];
      if (auto it = values.find("filename"); it != values.end()) filename = it->second;
    }
    if (!name.empty()) {
      if (filename)
        call.files[name] = FilePart{*filename, std::string(content)};
      else
        call.params[name] = std::string(content);
    }
    position = next + 2;
  }
}

// False when the body cannot be read as its Content-Type says.
bool read_parameters(const WireRequest& request, Call& call) {
  for (auto& [key, value] : parse_urlencoded(request.query)) call.params[key] = value;
  if (request.body.empty()) return true;
  std::string content_type = request.header("content-type");
  std::string media_type = to_lower(trim(content_type.substr(0, content_type.find(';'))));
  if (media_type == "application/json") {
    json body = json::parse(request.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) return false;
    for (auto& [key, value] : body.items()) call.params[key] = value;
    return true;
  }
  if (media_type == "multipart/form-data") return parse_multipart(content_type, request.body, call);
  if (media_type == "application/x-www-form-urlencoded" || media_type.empty()) {
    for (auto& [key, value] : parse_urlencoded(request.body)) call.params[key] = value;
  }
  return true;
}

struct Reply {
  int status = 200;
  json body;
};

Reply ok(json result) { return {200, {{"ok", true}, {"result", std::move(result)}}}; }

Reply failure(int status, const std::string& description, json parameters = nullptr) {
  json body = {{"ok", false}, {"error_code", status}, {"description", description}};
  if (!parameters.is_null()) body["parameters"] = std::move(parameters);
  return {status, std::move(body)};
}

Reply bad_request(const std::string& what) { return failure(400, "Bad Request: " + what); }

std::string status_description(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden: bot was blocked by the user";
    case 404: return "Not Found";
    case 409: return "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return status >= 500 ? "Internal Server Error" : "Bad Request";
  }
}

uint32_t big_endian(std::string_view data, std::size_t at, std::size_t bytes) {
  uint32_t value = 0;
  for (std::size_t k = 0; k < bytes; ++k)
    value = (value << 8) | static_cast<unsigned char>(data[at + k]);
  return value;
}

// Width and height of a PNG or JPEG, or nullopt when the bytes are neither.
std::optional<std::pair<int64_t, int64_t>> image_size(std::string_view data) {
  static constexpr char kPng[] = "\x89PNG\r\n\x1a\n";
  if (data.size() >= 24 && data.substr(0, 8) == std::string_view(kPng, 8) &&
      data.substr(12, 4) == "IHDR") {
    int64_t width = big_endian(data, 16, 4), height = big_endian(data, 20, 4);
    if (width > 0 && height > 0) return std::make_pair(width, height);
    return std::nullopt;
  }
  auto byte = [&](std::size_t at) { return static_cast<unsigned char>(data[at]); };
  if (data.size() < 4 || byte(0) != 0xFF || byte(1) != 0xD8 || byte(2) != 0xFF)
    return std::nullopt;
  std::size_t i = 2;
  while (i + 9 < data.size()) {
    if (byte(i) != 0xFF) return std::nullopt;
    unsigned char marker = byte(i + 1);
    if (marker == 0xFF) {
      ++i;
      continue;
    }
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) {
      i += 2;
      continue;
    }
    if (marker == 0xD9 || marker == 0xDA) return std::nullopt;  // no frame header before data
    bool frame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 &&
                 marker != 0xCC;
    if (frame) {
      int64_t height = big_endian(data, i + 5, 2), width = big_endian(data, i + 7, 2);
      if (width > 0 && height > 0) return std::make_pair(width, height);
      return std::nullopt;
    }
    i += 2 + big_endian(data, i + 2, 2);
  }
  return std::nullopt;
}

}  // namespace

// ---------------------------------------------------------------------------------------------

struct FakeTelegram::State {
  struct StoredMessage {
    bool from_bot = false;
    bool has_text = false;
    std::string text;  // rendered
    json entities = json::array();
    json reply_markup;
  };

  std::string token;
  int64_t bot_id = kDefaultBotId;

  mutable std::mutex mutex;
  mutable std::condition_variable changed;
  bool stopped = false;
  int in_flight = 0;  // requests being handled or answered
  std::chrono::milliseconds max_long_poll{1000};
  int64_t next_update_id = kFirstUpdateId;
  std::deque<json> updates;
  std::optional<std::set<std::string>> allowed_updates;  // as the bot last set it
  int64_t last_confirmed_offset = 0;
  uint64_t poll_generation = 0;
  std::map<int64_t, int64_t> last_message_id;  // per chat
  std::map<std::pair<int64_t, int64_t>, StoredMessage> messages;
  std::map<int64_t, json> users;  // chat id -> the user writing from it
  std::set<std::string> open_callbacks;
  uint64_t next_callback = 1;
  std::map<std::string, std::string> photos;  // file_id -> bytes
  uint64_t next_file = 1;
  std::set<int64_t> blocked;
  std::map<std::string, std::deque<std::pair<int, int>>> failures;  // lower-case method
  std::vector<SentMessage> sent;
  std::vector<AnsweredCallback> answered;
  std::vector<std::string> calls;
  std::vector<std::string> errors;

  std::mutex server_mutex;
  std::unique_ptr<WireServer> server;
  uint16_t port = 0;

  // --- helpers; those named *_locked expect `mutex` held.

  json bot_user() const {
    return {{"id", bot_id}, {"is_bot", true}, {"first_name", kBotFirstName},
            {"username", kBotUsername}};
  }

  json user_locked(int64_t chat_id, const std::string& username = "") {
    auto it = users.find(chat_id);
    if (it != users.end() && (username.empty() || it->second.value("username", "") == username))
      return it->second;
    std::string name = username.empty() ? "User" : username;
    name[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(name[0])));
    json user = {{"id", chat_id}, {"is_bot", false}, {"first_name", name},
                 {"language_code", "en"}};
    if (!username.empty()) user["username"] = username;
    users[chat_id] = user;
    return user;
  }

  json chat_locked(int64_t chat_id) {
    if (chat_id < 0) {
      return {{"id", chat_id},
              {"type", chat_id <= -1000000000000 ? "supergroup" : "group"},
              {"title", "Test group"}};
    }
    json user = user_locked(chat_id);
    json chat = {{"id", chat_id}, {"type", "private"}, {"first_name", user["first_name"]}};
    if (user.contains("username")) chat["username"] = user["username"];
    return chat;
  }

  int64_t new_message_id_locked(int64_t chat_id) { return ++last_message_id[chat_id]; }

  bool allowed_locked(const std::string& type) const {
    if (!allowed_updates || allowed_updates->empty())
      return type != "chat_member" && type != "message_reaction" &&
             type != "message_reaction_count";
    return allowed_updates->count(type) > 0;
  }

  int64_t enqueue_locked(json update) {
    std::string type;
    for (auto& [key, value] : update.items())
      if (key != "update_id") type = key;
    if (!allowed_locked(type)) return 0;
    int64_t id = next_update_id++;
    update["update_id"] = id;
    updates.push_back(std::move(update));
    changed.notify_all();
    return id;
  }

  void record_sent_locked(SentMessage message) {
    sent.push_back(std::move(message));
    changed.notify_all();
  }

  // --- the wire

  WireResponse handle(const WireRequest& request) {
    // Counts the answer as in flight until WireServer has written it, so stop() can let
    // the long polls it ends deliver their empty result before the sockets close.
    {
      std::lock_guard lock(mutex);
      ++in_flight;
    }
    std::shared_ptr<void> sending(nullptr, [this](void*) {
      std::lock_guard lock(mutex);
      --in_flight;
      changed.notify_all();
    });
    Reply reply;
    try {
      reply = dispatch(request);
    } catch (const std::exception& error) {
      reply = failure(500, std::string("Internal Server Error: ") + error.what());
    }
    WireResponse response;
    response.until_sent = std::move(sending);
    response.status = reply.status;
    response.headers.emplace_back("Content-Type", "application/json");
    response.body = reply.body.dump(-1, ' ', false, json::error_handler_t::replace);
    return response;
  }

  Reply dispatch(const WireRequest& request) {
    std::string path = percent_decode(request.path, false);
    if (!path.starts_with("/bot")) return failure(404, "Not Found");
    std::size_t slash = path.find('/', 4);
    if (slash == std::string::npos) return failure(404, "Not Found");
    if (path.substr(4, slash - 4) != token) return failure(401, "Unauthorized");
    Call call;
    call.method = path.substr(slash + 1);
    call.name = to_lower(call.method);
    {
      std::lock_guard lock(mutex);
      calls.push_back(call.method);
    }
    Reply reply = authorised(request, call);
    if (reply.status != 200) {
      std::lock_guard lock(mutex);
      errors.push_back(call.method + ": " + reply.body["description"].get<std::string>());
    }
    return reply;
  }

  Reply authorised(const WireRequest& request, Call& call) {
    using Handler = Reply (State::*)(const Call&);
    static const std::map<std::string, Handler> kMethods = {
        {"getme", &State::get_me},
        {"getupdates", &State::get_updates},
        {"sendmessage", &State::send_message},
        {"sendphoto", &State::send_photo},
        {"editmessagetext", &State::edit_message_text},
        {"answercallbackquery", &State::answer_callback_query},
        {"sendchataction", &State::send_chat_action},
        {"deletewebhook", &State::answer_true},
        {"setmycommands", &State::answer_true},
    };
    auto handler = kMethods.find(call.name);
    if (handler == kMethods.end()) return failure(404, "Not Found");
    {
      std::lock_guard lock(mutex);
      auto queued = failures.find(call.name);
      if (queued != failures.end() && !queued->second.empty()) {
        auto [status, retry_after] = queued->second.front();
        queued->second.pop_front();
        if (status == 429)
          return failure(429, "Too Many Requests: retry after " + std::to_string(retry_after),
                         {{"retry_after", retry_after}});
        return failure(status, status_description(status));
      }
    }
    if (!read_parameters(request, call)) return bad_request("can't parse request body");
    return (this->*handler->second)(call);
  }

  // Resolves chat_id; an error reply when it is missing or not a chat.
  std::optional<Reply> chat_of(const Call& call, int64_t& chat_id) {
    auto raw = call.text("chat_id");
    if (!raw || trim(*raw).empty()) return bad_request("chat_id is empty");
    auto id = call.integer("chat_id");
    if (!id || *id == 0) return bad_request("chat not found");
    chat_id = *id;
    std::lock_guard lock(mutex);
    if (blocked.count(chat_id) > 0) return failure(403, "Forbidden: bot was blocked by the user");
    return std::nullopt;
  }

  std::optional<Reply> reply_markup_of(const Call& call, json& markup) {
    markup = nullptr;
    const json* raw = call.param("reply_markup");
    if (raw == nullptr) return std::nullopt;
    json value;
    if (raw->is_string()) {
      if (raw->get<std::string>().empty()) return std::nullopt;
      value = json::parse(raw->get<std::string>(), nullptr, false);
    } else {
      value = *raw;
    }
    if (value.is_discarded() || !value.is_object())
      return bad_request("can't parse reply keyboard markup JSON object");
    if (value.contains("inline_keyboard")) {
      const json& rows = value["inline_keyboard"];
      if (!rows.is_array()) return bad_request("field \"inline_keyboard\" must be of type Array");
      for (const json& row : rows) {
        if (!row.is_array())
          return bad_request("field \"inline_keyboard\" must be an Array of Arrays");
        for (const json& button : row) {
          const std::string prefix = "can't parse inline keyboard button: ";
          if (!button.is_object()) return bad_request(prefix + "InlineKeyboardButton must be an Object");
          if (!button.contains("text") || !button["text"].is_string())
            return bad_request(prefix + "Field \"text\" must be of type String");
          static const char* kActions[] = {
              "url", "callback_data", "web_app", "login_url", "switch_inline_query",
              "switch_inline_query_current_chat", "switch_inline_query_chosen_chat",
              "copy_text", "callback_game", "pay"};
          if (std::none_of(std::begin(kActions), std::end(kActions),
                           [&](const char* action) { return button.contains(action); }))
            return bad_request(prefix + "Text buttons are unallowed in the inline keyboard");
          if (button.contains("callback_data")) {
            const json& data = button["callback_data"];
            if (!data.is_string()) return bad_request(prefix + "Field \"callback_data\" must be of type String");
            std::size_t size = data.get<std::string>().size();
            if (size == 0 || size > kMaxCallbackData) return bad_request("BUTTON_DATA_INVALID");
          }
        }
      }
    }
    markup = std::move(value);
    return std::nullopt;
  }

  // --- methods

  Reply answer_true(const Call&) { return ok(true); }

  Reply get_me(const Call&) {
    json me = bot_user();
    me["can_join_groups"] = true;
    me["can_read_all_group_messages"] = false;
    me["supports_inline_queries"] = false;
    return ok(me);
  }

  Reply get_updates(const Call& call) {
    const int64_t limit = std::clamp<int64_t>(call.integer("limit").value_or(100), 1, 100);
    const int64_t timeout = std::clamp<int64_t>(call.integer("timeout").value_or(0), 0, 86400);
    std::optional<std::set<std::string>> allowed;
    if (const json* raw = call.param("allowed_updates")) {
      json list = raw->is_string() ? json::parse(raw->get<std::string>(), nullptr, false) : *raw;
      if (list.is_array()) {
        allowed.emplace();
        for (const json& type : list)
          if (type.is_string()) allowed->insert(type.get<std::string>());
      }
    }
    std::unique_lock lock(mutex);
    if (allowed) allowed_updates = std::move(allowed);
    if (auto offset = call.integer("offset"); offset && *offset != 0) {
      if (*offset > 0) {
        while (!updates.empty() && updates.front()["update_id"].get<int64_t>() < *offset)
          updates.pop_front();
      } else {
        while (static_cast<int64_t>(updates.size()) > -*offset) updates.pop_front();
      }
      last_confirmed_offset = std::max(last_confirmed_offset, *offset);
    }
    const uint64_t generation = ++poll_generation;
    changed.notify_all();  // ends a getUpdates still waiting (409 below)
    const auto wait = std::min<std::chrono::milliseconds>(std::chrono::seconds(timeout),
                                                          max_long_poll);
    changed.wait_for(lock, wait, [&] {
      return stopped || poll_generation != generation || !updates.empty();
    });
    if (poll_generation != generation) return failure(409, status_description(409));
    json result = json::array();
    for (const json& update : updates) {
      if (static_cast<int64_t>(result.size()) >= limit) break;
      result.push_back(update);
    }
    return ok(result);
  }

  Reply send_message(const Call& call) {
    int64_t chat_id = 0;
    if (auto error = chat_of(call, chat_id)) return *error;
    auto text = call.text("text");
    if (!text || text->empty()) return bad_request("message text is empty");
    const std::string parse_mode = call.text("parse_mode").value_or("");
    Formatted formatted;
    if (auto problem = format_text(*text, parse_mode, formatted)) return failure(400, *problem);
    if (formatted.text.empty()) return bad_request("message text is empty");
    if (code_points(formatted.text) > kMaxTextLength) return bad_request("message is too long");
    json markup;
    if (auto error = reply_markup_of(call, markup)) return *error;

    std::lock_guard lock(mutex);
    const int64_t message_id = new_message_id_locked(chat_id);
    messages[{chat_id, message_id}] =
        StoredMessage{true, true, formatted.text, formatted.entities, markup};
    json message = {{"message_id", message_id}, {"from", bot_user()},
                    {"chat", chat_locked(chat_id)}, {"date", now_seconds()},
                    {"text", formatted.text}};
    if (!formatted.entities.empty()) message["entities"] = formatted.entities;
    if (!markup.is_null()) message["reply_markup"] = markup;
    record_sent_locked(SentMessage{"sendMessage", chat_id, message_id, *text, formatted.text,
                                   parse_mode, markup, "", 0, ""});
    return ok(message);
  }

  Reply send_photo(const Call& call) {
    int64_t chat_id = 0;
    if (auto error = chat_of(call, chat_id)) return *error;
    std::string bytes, filename;
    if (auto file = call.files.find("photo"); file != call.files.end()) {
      bytes = file->second.data;
      filename = file->second.filename;
    } else if (auto reference = call.text("photo"); reference && !reference->empty()) {
      std::lock_guard lock(mutex);
      auto known = photos.find(*reference);
      if (known != photos.end()) {
        bytes = known->second;
      } else if (reference->starts_with("http://") || reference->starts_with("https://")) {
        return bad_request("failed to get HTTP URL content");
      } else {
        return bad_request("wrong file identifier/HTTP URL specified");
      }
    } else {
      return bad_request("there is no photo in the request");
    }
    const std::string caption = call.text("caption").value_or("");
    const std::string parse_mode = call.text("parse_mode").value_or("");
    Formatted formatted;
    if (auto problem = format_text(caption, parse_mode, formatted)) return failure(400, *problem);
    if (code_points(formatted.text) > kMaxCaptionLength)
      return bad_request("message caption is too long");
    if (bytes.empty()) return bad_request("file must be non-empty");
    auto size = image_size(bytes);
    if (!size) return bad_request("IMAGE_PROCESS_FAILED");
    auto [width, height] = *size;
    if (width + height > kMaxPhotoSides || std::max(width, height) > kMaxPhotoRatio * std::min(width, height))
      return bad_request("PHOTO_INVALID_DIMENSIONS");
    json markup;
    if (auto error = reply_markup_of(call, markup)) return *error;

    std::lock_guard lock(mutex);
    const uint64_t file_number = next_file++;
    const std::string file_id = "AgACAgIAAxkDAAI" + std::to_string(1000 + file_number);
    photos[file_id] = bytes;
    const int64_t message_id = new_message_id_locked(chat_id);
    messages[{chat_id, message_id}] = StoredMessage{true, false, formatted.text, formatted.entities, markup};
    json photo = json::array({{{"file_id", file_id},
                               {"file_unique_id", "AQAD" + std::to_string(1000 + file_number)},
                               {"file_size", bytes.size()},
                               {"width", width},
                               {"height", height}}});
    json message = {{"message_id", message_id}, {"from", bot_user()},
                    {"chat", chat_locked(chat_id)}, {"date", now_seconds()}, {"photo", photo}};
    if (!formatted.text.empty()) message["caption"] = formatted.text;
    if (!formatted.entities.empty()) message["caption_entities"] = formatted.entities;
    if (!markup.is_null()) message["reply_markup"] = markup;
    const std::size_t photo_size = bytes.size();
    record_sent_locked(SentMessage{"sendPhoto", chat_id, message_id, caption, formatted.text,
                                   parse_mode, markup, std::move(bytes), photo_size, filename});
    return ok(message);
  }

  Reply edit_message_text(const Call& call) {
    if (call.param("inline_message_id") == nullptr && call.param("chat_id") == nullptr)
      return bad_request("message identifier is not specified");
    int64_t chat_id = 0;
    if (auto error = chat_of(call, chat_id)) return *error;
    auto message_id = call.integer("message_id");
    if (!message_id) return bad_request("message identifier is not specified");
    auto text = call.text("text");
    if (!text || text->empty()) return bad_request("message text is empty");
    const std::string parse_mode = call.text("parse_mode").value_or("");
    Formatted formatted;
    if (auto problem = format_text(*text, parse_mode, formatted)) return failure(400, *problem);
    if (formatted.text.empty()) return bad_request("message text is empty");
    if (code_points(formatted.text) > kMaxTextLength) return bad_request("message is too long");
    json markup;
    if (auto error = reply_markup_of(call, markup)) return *error;

    std::lock_guard lock(mutex);
    auto stored = messages.find({chat_id, *message_id});
    if (stored == messages.end()) return bad_request("message to edit not found");
    if (!stored->second.from_bot) return bad_request("message can't be edited");
    if (!stored->second.has_text) return bad_request("there is no text in the message to edit");
    if (stored->second.text == formatted.text && stored->second.entities == formatted.entities &&
        stored->second.reply_markup == markup)
      return bad_request(
          "message is not modified: specified new message content and reply markup are exactly "
          "the same as a current content and reply markup of the message");
    stored->second.text = formatted.text;
    stored->second.entities = formatted.entities;
    stored->second.reply_markup = markup;
    json message = {{"message_id", *message_id}, {"from", bot_user()},
                    {"chat", chat_locked(chat_id)}, {"date", now_seconds()},
                    {"edit_date", now_seconds()}, {"text", formatted.text}};
    if (!formatted.entities.empty()) message["entities"] = formatted.entities;
    if (!markup.is_null()) message["reply_markup"] = markup;
    record_sent_locked(SentMessage{"editMessageText", chat_id, *message_id, *text,
                                   formatted.text, parse_mode, markup, "", 0, ""});
    return ok(message);
  }

  Reply answer_callback_query(const Call& call) {
    auto id = call.text("callback_query_id");
    std::lock_guard lock(mutex);
    if (!id || open_callbacks.erase(*id) == 0)
      return bad_request("query is too old and response timeout expired or query ID is invalid");
    answered.push_back(AnsweredCallback{*id, call.text("text").value_or(""), call.flag("show_alert")});
    return ok(true);
  }

  Reply send_chat_action(const Call& call) {
    int64_t chat_id = 0;
    if (auto error = chat_of(call, chat_id)) return *error;
    static const std::set<std::string> kActions = {
        "typing",          "upload_photo", "record_video",     "upload_video",
        "record_voice",    "upload_voice", "upload_document",  "choose_sticker",
        "find_location",   "record_video_note", "upload_video_note"};
    if (kActions.count(call.text("action").value_or("")) == 0)
      return bad_request("wrong parameter action in request");
    return ok(true);
  }
};

FakeTelegram::FakeTelegram(std::string token) : state_(std::make_unique<State>()) {
  state_->token = std::move(token);
  if (auto colon = state_->token.find(':'); colon != std::string::npos)
    if (auto id = parse_int(std::string_view(state_->token).substr(0, colon)); id && *id > 0)
      state_->bot_id = *id;
  State* state = state_.get();
  state_->server =
      std::make_unique<WireServer>([state](const WireRequest& request) { return state->handle(request); });
  state_->port = state_->server->port();
}

FakeTelegram::~FakeTelegram() { stop(); }

std::string FakeTelegram::api_base() const {
  return "http://127.0.0.1:" + std::to_string(state_->port);
}

const std::string& FakeTelegram::token() const { return state_->token; }

void FakeTelegram::set_max_long_poll(std::chrono::milliseconds cap) {
  std::lock_guard lock(state_->mutex);
  state_->max_long_poll = cap;
}

int64_t FakeTelegram::push_message(int64_t chat_id, const std::string& text,
                                   const std::string& from_username) {
  std::lock_guard lock(state_->mutex);
  json message = {{"message_id", state_->new_message_id_locked(chat_id)},
                  {"from", state_->user_locked(chat_id, from_username)},
                  {"chat", state_->chat_locked(chat_id)},
                  {"date", now_seconds()},
                  {"text", text}};
  if (text.starts_with("/")) {
    std::size_t end = text.find_first_of(" \t\n");
    message["entities"] = json::array(
        {make_entity("bot_command", 0, utf16_units(std::string_view(text).substr(0, end)))});
  }
  state_->messages[{chat_id, message["message_id"].get<int64_t>()}] =
      State::StoredMessage{false, true, text, message.value("entities", json::array()), nullptr};
  return state_->enqueue_locked({{"message", std::move(message)}});
}

int64_t FakeTelegram::push_callback(int64_t chat_id, const std::string& data,
                                    int64_t message_id) {
  std::lock_guard lock(state_->mutex);
  if (message_id == 0) {
    // The bot's latest message with a keyboard, else its latest message.
    for (const auto& [key, stored] : state_->messages) {
      if (key.first != chat_id || !stored.from_bot) continue;
      if (!stored.reply_markup.is_null()) message_id = key.second;
    }
    if (message_id == 0)
      for (const auto& [key, stored] : state_->messages)
        if (key.first == chat_id && stored.from_bot) message_id = key.second;
  }
  json message = {{"message_id", message_id != 0 ? message_id : state_->new_message_id_locked(chat_id)},
                  {"from", state_->bot_user()},
                  {"chat", state_->chat_locked(chat_id)},
                  {"date", now_seconds()}};
  if (auto stored = state_->messages.find({chat_id, message_id}); stored != state_->messages.end()) {
    message[stored->second.has_text ? "text" : "caption"] = stored->second.text;
    if (!stored->second.reply_markup.is_null())
      message["reply_markup"] = stored->second.reply_markup;
  }
  const std::string id = std::to_string(5813000000000000000ULL + state_->next_callback++);
  json query = {{"id", id},
                {"from", state_->user_locked(chat_id)},
                {"message", std::move(message)},
                {"chat_instance", std::to_string(-4700000000000000000LL - (chat_id % 1000000000))},
                {"data", data}};
  int64_t update_id = state_->enqueue_locked({{"callback_query", std::move(query)}});
  if (update_id != 0) state_->open_callbacks.insert(id);
  return update_id;
}

int64_t FakeTelegram::push_update(nlohmann::json update) {
  std::lock_guard lock(state_->mutex);
  return state_->enqueue_locked(std::move(update));
}

std::size_t FakeTelegram::pending_updates() const {
  std::lock_guard lock(state_->mutex);
  return state_->updates.size();
}

void FakeTelegram::block_chat(int64_t chat_id) {
  std::lock_guard lock(state_->mutex);
  state_->blocked.insert(chat_id);
}

void FakeTelegram::fail_next(const std::string& method, int status, int retry_after) {
  std::lock_guard lock(state_->mutex);
  state_->failures[to_lower(method)].emplace_back(status, retry_after);
}

std::vector<SentMessage> FakeTelegram::sent() const {
  std::lock_guard lock(state_->mutex);
  return state_->sent;
}

bool FakeTelegram::wait_for_sent(std::size_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(state_->mutex);
  return state_->changed.wait_for(lock, timeout, [&] { return state_->sent.size() >= count; });
}

std::vector<AnsweredCallback> FakeTelegram::answered_callbacks() const {
  std::lock_guard lock(state_->mutex);
  return state_->answered;
}

int64_t FakeTelegram::last_confirmed_offset() const {
  std::lock_guard lock(state_->mutex);
  return state_->last_confirmed_offset;
}

std::vector<std::string> FakeTelegram::calls() const {
  std::lock_guard lock(state_->mutex);
  return state_->calls;
}

std::vector<std::string> FakeTelegram::errors() const {
  std::lock_guard lock(state_->mutex);
  return state_->errors;
}

void FakeTelegram::stop() {
  {
    std::unique_lock lock(state_->mutex);
    state_->stopped = true;
    state_->changed.notify_all();
    // Bounded: a bot calling in a tight loop must not hold the fake open.
    state_->changed.wait_for(lock, std::chrono::seconds(1), [&] { return state_->in_flight == 0; });
  }
  std::unique_ptr<WireServer> server;
  {
    std::lock_guard lock(state_->server_mutex);
    server = std::move(state_->server);
  }
  server.reset();  // joins the connection threads, whose long polls have just ended
}

}  // namespace da::fakes
