// A statement with $1/? parameters: the only way values reach SQL.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "da/duck/result.hpp"
#include "da/duck/value.hpp"

namespace da::duck {

class PreparedStatement {
 public:
  size_t parameter_count() const;
  // Parameters are numbered from 1. A NULL Value binds NULL.
  PreparedStatement& bind(size_t index, const Value& value);
  template <typename... Args>
  PreparedStatement& bind_all(Args&&... args) {
    size_t index = 1;
    (bind(index++, Value(std::forward<Args>(args))), ...);
    return *this;
  }
  void clear_bindings();

  // Runs the statement; the whole result is produced before this returns.
  Result execute();
  // Runs the statement; rows are produced as chunks are fetched, so a large result is
  // never held in memory at once. Fetch to the end (or destroy the result) before the
  // connection runs anything else.
  Result execute_streaming();

  ~PreparedStatement();
  PreparedStatement(PreparedStatement&&) noexcept;
  PreparedStatement& operator=(PreparedStatement&&) = delete;
  PreparedStatement(const PreparedStatement&) = delete;

 private:
  friend class Connection;
  explicit PreparedStatement(void* statement) : statement_(statement) {}
  void* statement_;
};

}  // namespace da::duck
