#include "da/ops/systemd_units.hpp"

#include <chrono>

#include "da/common/error.hpp"
#include "da/common/strings.hpp"
#include "da/common/subprocess.hpp"

namespace da::ops {

namespace {

constexpr auto kTimeout = std::chrono::seconds(10);

SubprocessResult systemctl(std::vector<std::string> arguments) {
  arguments.insert(arguments.begin(), {"systemctl", "--no-pager"});
  SubprocessOptions options;
  options.timeout = kTimeout;
  return run_subprocess(arguments, options);
}

std::string first_line(const std::string& text) {
  return std::string(trim(text.substr(0, text.find('\n'))));
}

// Names of the installed da-* unit files: "da-portal.service enabled enabled" per line.
std::vector<std::string> installed_units() {
  SubprocessResult listed =
      systemctl({"list-unit-files", "--no-legend", "--plain", "da-*.service", "da-*.timer"});
  std::vector<std::string> names;
  for (const std::string& line : split(listed.output, '\n')) {
    std::string name = std::string(trim(line.substr(0, line.find(' '))));
    if (name.rfind("da-", 0) == 0) names.push_back(name);
  }
  return names;
}

// systemd writes "n/a" or nothing for a time that does not apply.
std::string time_or_empty(const std::string& value) {
  return value == "n/a" || value == "0" ? "" : value;
}

}  // namespace

bool UnitState::is_timer() const {
  return name.size() > 6 && name.substr(name.size() - 6) == ".timer";
}

bool UnitState::needs_attention() const {
  if (active == "failed") return true;
  if (enabled != "enabled") return false;
  if (is_timer()) return active != "active";
  return type != "oneshot" && active != "active" && active != "activating" && active != "reloading";
}

std::vector<UnitState> parse_systemctl_show(std::string_view text) {
  std::vector<UnitState> units;
  UnitState unit;
  auto flush = [&] {
    if (!unit.name.empty()) units.push_back(unit);
    unit = UnitState{};
  };
  for (const std::string& raw : split(text, '\n')) {
    std::string_view line = trim(raw);
    if (line.empty()) {
      flush();
      continue;
    }
    size_t equals = line.find('=');
    if (equals == std::string_view::npos) continue;
    std::string key(line.substr(0, equals));
    std::string value(line.substr(equals + 1));
    if (key == "Id")
      unit.name = value;
    else if (key == "ActiveState")
      unit.active = value;
    else if (key == "SubState")
      unit.sub = value;
    else if (key == "UnitFileState")
      unit.enabled = value;
    else if (key == "Type")
      unit.type = value;
    else if (key == "Result")
      unit.result = value;
    else if (key == "LastTriggerUSec")
      unit.last_trigger = time_or_empty(value);
    else if (key == "NextElapseUSecRealtime")
      unit.next_elapse = time_or_empty(value);
  }
  flush();
  return units;
}

SystemdReport query_da_units() {
  SystemdReport report;
  try {
    SubprocessResult running = systemctl({"is-system-running"});
    report.state = first_line(running.output);
  } catch (const Error&) {  // no systemctl at all
    report.state = "systemctl not found";
    return report;
  }
  // "offline" is what systemctl answers when systemd is not PID 1 (containers).
  report.running = report.state != "offline" && !report.state.empty() &&
                   report.state.find("not been booted") == std::string::npos;
  if (!report.running) return report;
  std::vector<std::string> names = installed_units();
  if (names.empty()) return report;
  std::vector<std::string> arguments = {
      "show",
      "--property=Id,ActiveState,SubState,UnitFileState,Type,Result,LastTriggerUSec,"
      "NextElapseUSecRealtime"};
  arguments.insert(arguments.end(), names.begin(), names.end());
  SubprocessResult shown = systemctl(arguments);
  if (!shown.ok()) throw Error(ErrorKind::kInternal, "systemctl show failed: " + shown.last_line());
  report.units = parse_systemctl_show(shown.output);
  return report;
}

}  // namespace da::ops
