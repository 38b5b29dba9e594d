// Maps a method and a path to a handler. Patterns are literal segments and placeholders:
// "/api/metrics/{category}/{file}" matches one segment per placeholder, and a last
// "{name...}" matches the rest of the path (one or more segments, "/" included).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "da/web/request.hpp"
#include "da/web/response.hpp"

namespace da::web {

using Handler = std::function<Response(Request&)>;

class Router {
 public:
  // Throws Error(kInternal) on a malformed pattern or a duplicate method + pattern.
  // `blocking`: the handler may wait long (Lane::kBlocking in http_server.hpp).
  void add(std::string method, std::string pattern, Handler handler, bool blocking = false);
  void get(std::string pattern, Handler handler) {
    add("GET", std::move(pattern), std::move(handler));
  }
  void post(std::string pattern, Handler handler) {
    add("POST", std::move(pattern), std::move(handler));
  }

  enum class Outcome { kMatched, kNotFound, kMethodNotAllowed };
  struct Match {
    Outcome outcome = Outcome::kNotFound;
    const Handler* handler = nullptr;
    bool blocking = false;
    std::string allowed_methods;  // "GET, POST" for kMethodNotAllowed
  };
  // Finds the route of `request` and fills request.params (also when only the method does not
  // match). A literal segment wins over a placeholder; routes are otherwise tried in the order
  // they were added. HEAD uses GET routes.
  Match match(Request& request) const;

 private:
  struct Segment {
    std::string text;
    bool placeholder = false;
    bool rest = false;
  };
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<Segment> segments;
    int literal_count = 0;
    Handler handler;
    bool blocking = false;
  };
  static bool matches(const Route& route, const std::vector<std::string_view>& parts,
                      Request& request);
  std::vector<Route> routes_;
};

}  // namespace da::web
