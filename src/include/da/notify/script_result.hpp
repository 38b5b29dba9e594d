// What an analyst's notification script prints (the original's contract): one JSON object,
//   {"notify": true, "title": "...", "message": "...", "image_path": "/abs/chart.png",
//    "cooldown": "6h", "data": {...}}
// `notify` is required; false means nothing is sent. `cooldown` is N followed by m, h or d
// (default 1h; an unreadable value also means 1h). `data` is kept for the script's own use.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace da::notify {

struct ScriptResult {
  bool notify = false;
  std::string title;
  std::string message;
  std::optional<std::string> image_path;
  std::chrono::seconds cooldown{3600};
};

// The result in `output` (the whole stdout, or failing that its last line that is a JSON
// object: scripts print progress too). Error(kData) saying what is wrong otherwise.
ScriptResult parse_script_output(std::string_view output);

// "30m" -> 1800 s; nullopt for anything that is not N(m|h|d) with N >= 1.
std::optional<std::chrono::seconds> parse_cooldown(std::string_view text);

}  // namespace da::notify
