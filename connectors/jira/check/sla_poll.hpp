// `da jira sla-poll`: Jira does not send a webhook when an SLA clock ticks, so the SLA fields of
// open issues are polled. Open = a stored document (not marked deleted) whose status category is
// not Done and which has a value in one of the SLA fields (jira.custom_fields.first_response,
// time_to_resolution). For each, the SLA fields and status, resolution, resolutiondate, updated
// are fetched (through the jira.sla account when configured) and put onto the document as it is
// stored after the fetch (so a document the worker stored meanwhile keeps its changes),
// and the rows of every changed issue written with one MonthWriter::apply. A 429 waits for its
// Retry-After within the client's bounded retries.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "jira/jira_settings.hpp"

namespace da::connectors::jira {

struct SlaPollReport {
  int64_t open = 0;                  // open issues with SLA fields
  std::vector<std::string> updated;  // still open, SLA fields refreshed
  std::vector<std::string> healed;   // Done now (a missed webhook): refreshed
  std::vector<std::string> skipped;  // no valid SLA data and not Done: nothing written
  std::vector<std::string> failed;   // "KEY: why" (404 included)
  int64_t deferred = 0;              // beyond jira.sla_poll.max_issues, left for the next run
};

// One poll under `data_dir`; nothing is written with `dry_run`.
SlaPollReport run_sla_poll(const JiraSettings& settings, const std::filesystem::path& data_dir,
                           bool dry_run);

}  // namespace da::connectors::jira
