// Questions on the controlling terminal: prompts on standard error, answers from standard input.
#pragma once

#include "init/init_answers.hpp"

namespace da::commands::init {

class TerminalPrompter : public Prompter {
 public:
  // True if standard input is a terminal, so that questions can be answered.
  static bool available();

  std::string ask(const std::string& question, const std::string& default_value) override;
  // Turns echo off (termios) while the answer is typed, and back on even on errors.
  std::string ask_secret(const std::string& question) override;
  void tell(const std::string& text) override;
};

}  // namespace da::commands::init
