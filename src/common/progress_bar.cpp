#include "da/common/progress_bar.hpp"

#include <fmt/core.h>
#include <unistd.h>

namespace da {

namespace {

constexpr int kBarWidth = 24;
constexpr auto kTerminalRedrawInterval = std::chrono::milliseconds(100);

std::string human_count(double value) {
  if (value >= 1e9) return fmt::format("{:.1f}G", value / 1e9);
  if (value >= 1e6) return fmt::format("{:.1f}M", value / 1e6);
  if (value >= 1e4) return fmt::format("{:.1f}k", value / 1e3);
  return fmt::format("{:.0f}", value);
}

}  // namespace

ProgressBar::Output ProgressBar::stderr_output() {
  Output output;
  output.is_terminal = ::isatty(STDERR_FILENO) == 1;
  return output;
}

ProgressBar::ProgressBar(std::string label, uint64_t total, std::string unit, Output output)
    : label_(std::move(label)),
      unit_(std::move(unit)),
      output_(output),
      total_(total),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

ProgressBar::~ProgressBar() {
  finish();
}

void ProgressBar::set_total(uint64_t total) {
  std::lock_guard lock(mutex_);
  total_ = total;
}

void ProgressBar::set_label(std::string label) {
  std::lock_guard lock(mutex_);
  label_ = std::move(label);
}

void ProgressBar::update(uint64_t done) {
  std::lock_guard lock(mutex_);
  if (finished_) return;
  done_ = done;
  draw(false);
}

void ProgressBar::advance(uint64_t increment) {
  std::lock_guard lock(mutex_);
  if (finished_) return;
  done_ += increment;
  draw(false);
}

void ProgressBar::finish() {
  std::lock_guard lock(mutex_);
  if (finished_) return;
  finished_ = true;
  draw(true);
}

std::string ProgressBar::render() const {
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  double rate = seconds > 0 ? static_cast<double>(done_) / seconds : 0;
  std::string text = label_ + " ";
  if (total_ > 0) {
    double fraction = std::min(1.0, static_cast<double>(done_) / static_cast<double>(total_));
    int filled = static_cast<int>(fraction * kBarWidth);
    text += "[" + std::string(filled, '#') + std::string(kBarWidth - filled, '.') + "] ";
    text += fmt::format("{:5.1f}% {}/{} {}", fraction * 100, human_count(done_),
                        human_count(total_), unit_);
  } else {
    text += fmt::format("{} {}", human_count(done_), unit_);
  }
  text += fmt::format(" {}/s {:.1f}s", human_count(rate), seconds);
  if (!finished_ && total_ > done_ && rate > 0) {
    auto left = static_cast<int64_t>(static_cast<double>(total_ - done_) / rate + 0.5);
    text += left >= 3600 ? fmt::format(" ETA {}h{:02}m", left / 3600, left % 3600 / 60)
            : left >= 60 ? fmt::format(" ETA {}m{:02}s", left / 60, left % 60)
                         : fmt::format(" ETA {}s", left);
  }
  return text;
}

void ProgressBar::draw(bool final) {
  auto now = std::chrono::steady_clock::now();
  auto interval = output_.is_terminal ? kTerminalRedrawInterval : output_.plain_interval;
  if (!final && now - last_draw_ < interval) return;
  last_draw_ = now;
  std::string line = render();
  if (output_.is_terminal) {
    fmt::print(output_.stream, "\r\033[2K{}{}", line, final ? "\n" : "");
  } else {
    fmt::print(output_.stream, "{}\n", line);
  }
  std::fflush(output_.stream);
}

}  // namespace da
