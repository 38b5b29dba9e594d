#include "da/web/visitor.hpp"

namespace da::web {

const std::string& Visitor::csrf_token() const {
  static const std::string kNone;
  return session ? session->csrf_token : kNone;
}

}  // namespace da::web
