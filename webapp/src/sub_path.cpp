#include "da/web/sub_path.hpp"

namespace da::web {

namespace {

bool is_local_path(std::string_view path) {
  return !path.empty() && path.front() == '/' && (path.size() == 1 || path[1] != '/');
}

// `text` starts with `prefix` followed by a '/' or the end of the path ('?' or nothing).
bool under(std::string_view text, std::string_view prefix, std::string_view ends) {
  if (text.substr(0, prefix.size()) != prefix) return false;
  return text.size() == prefix.size() || ends.find(text[prefix.size()]) != std::string_view::npos;
}

}  // namespace

SubPath::Entry SubPath::enter(Request& request) const {
  if (prefix_.empty() || !request.base_path.empty()) return Entry::kInside;
  // The prefix holds only unreserved characters (the config loader checks it), so it reads the
  // same in the raw target as in the decoded path; a client that escaped it is outside.
  if (!under(request.path, prefix_, "/") || !under(request.target, prefix_, "/?"))
    return Entry::kOutside;
  if (request.path.size() == prefix_.size()) return Entry::kBare;
  request.path.erase(0, prefix_.size());
  request.target.erase(0, prefix_.size());
  request.base_path = prefix_;
  return Entry::kInside;
}

Response SubPath::redirect_to_root(const Request& request) const {
  std::string_view target = request.target;
  auto question = target.find('?');
  std::string location = prefix_ + "/";
  if (question != std::string_view::npos) location += target.substr(question);
  return Response::redirect(std::move(location), 308);
}

std::string SubPath::public_path(std::string_view local) const {
  if (!is_local_path(local)) return std::string(local);
  return prefix_ + std::string(local);
}

void SubPath::publish(const Request& request, Response& response) const {
  if (request.base_path.empty()) return;
  std::string_view location = response.header("Location");
  if (is_local_path(location)) response.set_header("Location", public_path(location));
}

}  // namespace da::web
