// Problems found while reading a configuration file, collected so that a user sees all of
// them at once, each with its file, line and key path.
#pragma once

#include <string>
#include <vector>

namespace da::config {

struct Diagnostic {
  enum class Severity { kError, kWarning };
  Severity severity = Severity::kError;
  std::string file;
  int line = 0;      // 0 when unknown
  std::string path;  // key path such as "sync.memory_limit" or "tables[2].primary_key"
  std::string message;

  // "file:line: path: message"
  std::string format() const;
};

class Diagnostics {
 public:
  void error(std::string file, int line, std::string path, std::string message);
  void warning(std::string file, int line, std::string path, std::string message);
  void add(Diagnostic diagnostic) { items_.push_back(std::move(diagnostic)); }
  void append(const Diagnostics& other);

  bool has_errors() const;
  std::vector<Diagnostic> errors() const;
  std::vector<Diagnostic> warnings() const;
  const std::vector<Diagnostic>& all() const { return items_; }

  // Throws Error(kConfig) whose message is `headline` followed by one line per error.
  void throw_if_errors(const std::string& headline) const;

 private:
  std::vector<Diagnostic> items_;
};

}  // namespace da::config
