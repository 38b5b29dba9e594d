// Pages in the portal layout: the layout rendered once per distinct visitor data, pages shared
// by every visitor, error pages, the login page and the notices pages show after a redirect.
#include "da/common/error.hpp"
#include "da/common/strings.hpp"
#include "da/net/http_client.hpp"
#include "da/web/portal.hpp"

namespace da::web {

using Json = nlohmann::json;

std::vector<std::string> Portal::provider_names() const {
  std::vector<std::string> names;
  for (const auto& provider : providers_)
    names.push_back(provider->name());
  return names;
}

Json Portal::layout_data(const Request& request, const Visitor& visitor) const {
  Json data = {{"instance_name", config_.instance.name},
               {"instance_subtitle", config_.instance.subtitle},
               {"copyright", config_.instance.copyright},
               {"asset_version", assets_.version()},
               {"base", sub_path_.prefix()},
               {"path", request.path},
               {"signed_in", visitor.signed_in()},
               {"csrf_token", visitor.csrf_token()}};
  if (visitor.user) {
    const auto& user = *visitor.user;
    std::string initials;
    for (const std::string& part : split_trimmed(user.name.empty() ? user.email : user.name, ' '))
      if (initials.size() < 2 && !part.empty())
        initials.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(part[0]))));
    data["user"] = {{"email", user.email},
                    {"name", user.name},
                    {"initials", initials},
                    {"username", user.username},
                    {"role_label", user.role_label()},
                    {"is_admin", user.is_admin()}};
  }
  return data;
}

Response Portal::render(const Request& request, const Visitor& visitor, std::string_view page,
                        Json data, int status) {
  Json layout = layout_data(request, visitor);
  for (auto it = layout.begin(); it != layout.end(); ++it)
    if (!data.contains(it.key())) data[it.key()] = it.value();
  return wrap(request, visitor, data.value("title", config_.instance.name),
              templates_.render(page, data), data.value("bare", false), status);
}

Response Portal::render_form(const Request& request, const Visitor& visitor, std::string_view page,
                             Json data, int status) {
  Response cookies;
  data["csrf_token_form"] = anonymous_csrf(request, cookies);
  Response response = render(request, visitor, page, std::move(data), status);
  for (auto& [name, value] : cookies.headers)
    response.add_header(name, value);
  return response;
}

std::shared_ptr<const Portal::Layout> Portal::layout_around(const Request& request,
                                                            const Visitor& visitor,
                                                            const std::string& title, bool bare) {
  Json layout = layout_data(request, visitor);
  layout["title"] = title;
  layout["bare"] = bare;
  std::string key = layout.dump();
  {
    std::lock_guard lock(layouts_mutex_);
    auto found = layouts_.find(key);
    if (found != layouts_.end()) return found->second;
  }
  layout["content"] = content_marker_;
  std::string page = templates_.render("layout", layout);
  auto split = page.find(content_marker_);
  auto rendered = std::make_shared<Layout>(
      Layout{page.substr(0, split), page.substr(split + content_marker_.size())});
  std::lock_guard lock(layouts_mutex_);
  if (layouts_.size() >= 4096) layouts_.clear();  // bounded; rebuilt on demand
  layouts_.emplace(std::move(key), rendered);
  return rendered;
}

Response Portal::wrap(const Request& request, const Visitor& visitor, const std::string& title,
                      std::string content, bool bare, int status) {
  auto layout = layout_around(request, visitor, title, bare);
  return Response::html(status, layout->prefix + content + layout->suffix);
}

std::shared_ptr<const SharedContent> Portal::render_shared(std::string_view page,
                                                           const std::string& version,
                                                           const std::function<Json()>& data) {
  {
    std::lock_guard lock(shared_pages_mutex_);
    auto found = shared_pages_.find(page);
    if (found != shared_pages_.end() && found->second.first == version) return found->second.second;
  }
  auto content = std::make_shared<SharedContent>();
  Json page_data = data();
  page_data["base"] = sub_path_.prefix();
  content->html = templates_.render(page, page_data);
  content->compressed = deflate_piece(content->html);
  std::lock_guard lock(shared_pages_mutex_);
  shared_pages_[std::string(page)] = {version, content};
  return content;
}

Response Portal::wrap_shared(const Request& request, const Visitor& visitor,
                             const std::string& title, const SharedContent& content) {
  auto layout = layout_around(request, visitor, title, false);
  Response page = Response::html(200, "");
  if (accepts_gzip(request.header("accept-encoding"))) {
    // The layout around the shared content is only framed, not compressed, per request.
    DeflatePiece pieces[] = {stored_piece(layout->prefix), content.compressed,
                             stored_piece(layout->suffix)};
    page.body = gzip_join(pieces, 3);
    page.set_header("Content-Encoding", "gzip");
  } else {
    page.body = layout->prefix + content.html + layout->suffix;
  }
  page.set_header("Vary", "Accept-Encoding");
  return page;
}

Response Portal::error_page(const Request& request, const Visitor& visitor, int status,
                            const std::string& message) {
  return render(request, visitor, "error",
                {{"title", std::string("Error ") + std::to_string(status)},
                 {"code", status},
                 {"reason", status_reason(status)},
                 {"message", message}},
                status);
}

Response Portal::login_page(const Request& request, const std::string& next,
                            const std::string& notice, const std::string& error, int status) {
  Json buttons = Json::array();
  for (const auto& provider : providers_) {
    LoginButton button = provider->login_button(config_);
    if (!button.visible) continue;
    std::string url = sub_path_.public_path(button.url);
    if (!next.empty())
      url += (url.find('?') == std::string::npos ? "?" : "&") + ("next=" + net::url_encode(next));
    buttons.push_back({{"text", button.text},
                       {"url", url},
                       {"subtitle", button.subtitle},
                       {"css_class", button.css_class}});
  }
  return render(request, Visitor{}, "login",
                {{"title", "Sign in"},
                 {"bare", true},
                 {"buttons", buttons},
                 {"has_buttons", !buttons.empty()},
                 {"notice", notice},
                 {"error", error}},
                status);
}

void Portal::add_notice(std::string code, std::string text) {
  auto [found, added] = notices_.emplace(std::move(code), text);
  if (!added && found->second != text)
    throw Error(ErrorKind::kInternal, "the notice '" + found->first + "' was added twice: '" +
                                          found->second + "' and '" + text + "'");
}

std::string Portal::notice_text(std::string_view code) const {
  auto found = notices_.find(code);
  return found == notices_.end() ? std::string() : found->second;
}

Response Portal::login_error(const Request& request, const std::string& error, int status) {
  return login_page(request, "", "", error, status);
}

}  // namespace da::web
