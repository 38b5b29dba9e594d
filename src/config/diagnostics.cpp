#include "da/config/diagnostics.hpp"

#include "da/common/error.hpp"

namespace da::config {

std::string Diagnostic::format() const {
  std::string text = file;
  if (line > 0) text += ":" + std::to_string(line);
  if (!path.empty()) text += (text.empty() ? "" : ": ") + path;
  return text + (text.empty() ? "" : ": ") + message;
}

void Diagnostics::error(std::string file, int line, std::string path, std::string message) {
  items_.push_back(
      {Diagnostic::Severity::kError, std::move(file), line, std::move(path), std::move(message)});
}

void Diagnostics::warning(std::string file, int line, std::string path, std::string message) {
  items_.push_back(
      {Diagnostic::Severity::kWarning, std::move(file), line, std::move(path), std::move(message)});
}

void Diagnostics::append(const Diagnostics& other) {
  items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}

bool Diagnostics::has_errors() const {
  for (const auto& item : items_) {
    if (item.severity == Diagnostic::Severity::kError) return true;
  }
  return false;
}

std::vector<Diagnostic> Diagnostics::errors() const {
  std::vector<Diagnostic> result;
  for (const auto& item : items_) {
    if (item.severity == Diagnostic::Severity::kError) result.push_back(item);
  }
  return result;
}

std::vector<Diagnostic> Diagnostics::warnings() const {
  std::vector<Diagnostic> result;
  for (const auto& item : items_) {
    if (item.severity == Diagnostic::Severity::kWarning) result.push_back(item);
  }
  return result;
}

void Diagnostics::throw_if_errors(const std::string& headline) const {
  auto found = errors();
  if (found.empty()) return;
  std::string message = headline + " (" + std::to_string(found.size()) +
                        (found.size() == 1 ? " problem)" : " problems)");
  for (const auto& item : found)
    message += "\n  " + item.format();
  throw Error(ErrorKind::kConfig, message);
}

}  // namespace da::config
