#include "da/web/router.hpp"

#include "da/common/error.hpp"

namespace da::web {

namespace {

std::vector<std::string_view> path_segments(std::string_view path) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  if (!path.empty() && path.front() == '/') start = 1;
  while (start <= path.size()) {
    auto slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    parts.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

}  // namespace

void Router::add(std::string method, std::string pattern, Handler handler, bool blocking) {
  if (pattern.empty() || pattern.front() != '/')
    throw Error(ErrorKind::kInternal, "route pattern must start with '/': " + pattern);
  Route route{std::move(method), pattern, {}, 0, std::move(handler), blocking};
  auto parts = path_segments(pattern);
  for (std::size_t i = 0; i < parts.size(); ++i) {
    std::string_view part = parts[i];
    Segment segment;
    if (part.size() >= 2 && part.front() == '{' && part.back() == '}') {
      segment.placeholder = true;
      segment.text = std::string(part.substr(1, part.size() - 2));
      if (segment.text.size() > 3 && segment.text.ends_with("...")) {
        if (i + 1 != parts.size())
          throw Error(ErrorKind::kInternal, "a {rest...} placeholder must be last: " + pattern);
        segment.rest = true;
        segment.text.resize(segment.text.size() - 3);
      }
    } else {
      segment.text = std::string(part);
      ++route.literal_count;
    }
    route.segments.push_back(std::move(segment));
  }
  for (const Route& existing : routes_)
    if (existing.method == route.method && existing.pattern == route.pattern)
      throw Error(ErrorKind::kInternal, "duplicate route " + route.method + " " + pattern);
  routes_.push_back(std::move(route));
}

bool Router::matches(const Route& route, const std::vector<std::string_view>& parts,
                     Request& request) {
  std::map<std::string, std::string, std::less<>> params;
  std::size_t i = 0;
  for (; i < route.segments.size(); ++i) {
    const Segment& segment = route.segments[i];
    if (segment.rest) {
      if (i >= parts.size() || parts[i].empty()) return false;
      std::string rest;
      for (std::size_t j = i; j < parts.size(); ++j) {
        if (j > i) rest += '/';
        rest += parts[j];
      }
      params[segment.text] = std::move(rest);
      request.params = std::move(params);
      return true;
    }
    if (i >= parts.size()) return false;
    if (segment.placeholder) {
      if (parts[i].empty()) return false;
      params[segment.text] = std::string(parts[i]);
    } else if (segment.text != parts[i]) {
      return false;
    }
  }
  if (i != parts.size()) return false;
  request.params = std::move(params);
  return true;
}

Router::Match Router::match(Request& request) const {
  auto parts = path_segments(request.path);
  std::string method = request.method == "HEAD" ? "GET" : request.method;
  const Route* best = nullptr;
  const Route* other_method = nullptr;
  std::string allowed;
  Request scratch;
  for (const Route& route : routes_) {
    if (!matches(route, parts, scratch)) continue;
    if (route.method != method) {
      if (allowed.find(route.method) == std::string::npos)
        allowed += (allowed.empty() ? "" : ", ") + route.method;
      if (!other_method) other_method = &route;
      continue;
    }
    if (!best || route.literal_count > best->literal_count) best = &route;
  }
  Match result;
  if (best) {
    matches(*best, parts, request);
    result.outcome = Outcome::kMatched;
    result.handler = &best->handler;
    result.blocking = best->blocking;
  } else if (!allowed.empty()) {
    matches(*other_method, parts, request);  // the params, so that logs can hide secret ones
    result.outcome = Outcome::kMethodNotAllowed;
    result.allowed_methods = std::move(allowed);
  }
  return result;
}

}  // namespace da::web
