#include "init/terminal_prompter.hpp"

#include <cstdio>
#include <iostream>
#include <string>

#include <termios.h>
#include <unistd.h>

#include "da/common/error.hpp"

namespace da::commands::init {

namespace {

std::string read_line(const std::string& question) {
  std::string line;
  if (!std::getline(std::cin, line)) {
    throw Error(ErrorKind::kConfig,
                "no answer to '" + question + "' (end of input); give it as a flag instead");
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

// Echo off for its lifetime.
class EchoOff {
 public:
  EchoOff() {
    if (::tcgetattr(STDIN_FILENO, &saved_) != 0) return;
    termios quiet = saved_;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ECHONL;
    active_ = ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
  }
  ~EchoOff() {
    if (active_) ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_);
  }
  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;

 private:
  termios saved_{};
  bool active_ = false;
};

}  // namespace

bool TerminalPrompter::available() {
  return ::isatty(STDIN_FILENO) == 1;
}

std::string TerminalPrompter::ask(const std::string& question, const std::string& default_value) {
  std::fprintf(stderr, "%s%s: ", question.c_str(),
               default_value.empty() ? "" : (" [" + default_value + "]").c_str());
  std::fflush(stderr);
  std::string answer = read_line(question);
  return answer.empty() ? default_value : answer;
}

std::string TerminalPrompter::ask_secret(const std::string& question) {
  std::fprintf(stderr, "%s: ", question.c_str());
  std::fflush(stderr);
  EchoOff echo_off;
  return read_line(question);
}

void TerminalPrompter::tell(const std::string& text) {
  std::fprintf(stderr, "%s\n", text.c_str());
  std::fflush(stderr);
}

}  // namespace da::commands::init
