#include "jira/check/sla_poll.hpp"

#include <optional>

#include "jira/tables/month_writer.hpp"
#include "jira/sync/issue_sync.hpp"
#include <nlohmann/json.hpp>

#include "da/common/error.hpp"
#include "da/common/log.hpp"

namespace da::connectors::jira {

namespace {

using Json = nlohmann::json;

std::vector<std::string> sla_fields(const JiraSettings& settings) {
  std::vector<std::string> fields;
  for (const std::string* id :
       {&settings.custom_fields.first_response, &settings.custom_fields.time_to_resolution})
    if (!id->empty()) fields.push_back(*id);
  return fields;
}

bool is_done(const Json& fields) {
  const Json* status = fields.contains("status") ? &fields["status"] : nullptr;
  if (status == nullptr || !status->is_object() || !status->contains("statusCategory"))
    return false;
  const Json& category = (*status)["statusCategory"];
  if (!category.is_object()) return false;
  return category.value("key", "") == "done" || category.value("name", "") == "Done";
}

// An SLA value of Jira Service Management: {name, completedCycles, ongoingCycle, ...}, not
// an {errorMessage} placeholder.
bool is_sla_value(const Json& value) {
  return value.is_object() && !value.contains("errorMessage") &&
         (value.contains("name") || value.contains("completedCycles") ||
          value.contains("ongoingCycle"));
}

bool is_open_with_sla(const Json& document, const std::vector<std::string>& fields) {
  if (document.contains("_deleted_at")) return false;
  auto found = document.find("fields");
  if (found == document.end() || !found->is_object() || is_done(*found)) return false;
  for (const std::string& field : fields)
    if (found->contains(field) && !(*found)[field].is_null()) return true;
  return false;
}

}  // namespace

SlaPollReport run_sla_poll(const JiraSettings& settings, const std::filesystem::path& data_dir,
                           bool dry_run) {
  SlaPollReport report;
  std::vector<std::string> fields = sla_fields(settings);
  if (fields.empty()) return report;
  IssueSync sync(settings, data_dir);
  IssueStore& store = sync.store();
  std::vector<std::string> asked = fields;
  for (const char* field : {"status", "resolution", "resolutiondate", "updated"})
    asked.emplace_back(field);
  std::vector<IssueRows> upserts;
  RowContext context = sync.row_context();
  for (const std::string& key : store.keys()) {
    std::optional<Json> document;
    try {
      document = store.get(key);
    } catch (const Error& e) {
      report.failed.push_back(key + ": " + e.what());
      continue;
    }
    if (!document || !is_open_with_sla(*document, fields)) continue;
    ++report.open;
    if (report.open > settings.sla_poll_max_issues) {
      ++report.deferred;
      continue;
    }
    try {
      std::optional<Json> answer = sync.sla_client().issue_fields(key, asked);
      if (!answer || !answer->contains("fields") || !(*answer)["fields"].is_object()) {
        report.failed.push_back(key + ": Jira answers 404 (deleted, or the account cannot see it)");
        continue;
      }
      const Json& fresh = (*answer)["fields"];
      bool valid = false;
      for (const std::string& field : fields)
        valid = valid || (fresh.contains(field) && is_sla_value(fresh[field]));
      bool done = is_done(fresh);
      if (!valid && !done) {
        report.skipped.push_back(key);
        continue;
      }
      // The fields go onto the document as stored now: the worker may have stored a newer one
      // during the fetch, whose other changes must stay.
      document = store.get(key);
      if (!document || document->contains("_deleted_at") || !(*document)["fields"].is_object()) {
        report.skipped.push_back(key);
        continue;
      }
      Json& stored = (*document)["fields"];
      for (const std::string& field : fields)
        if (fresh.contains(field)) stored[field] = fresh[field];
      if (fresh.contains("status")) stored["status"] = fresh["status"];
      for (const char* field : {"resolution", "resolutiondate", "updated"})
        if (fresh.contains(field) && !fresh[field].is_null()) stored[field] = fresh[field];
      upserts.push_back(issue_rows(*document, context));
      if (!dry_run) store.put(key, *document);
      (done ? report.healed : report.updated).push_back(key);
    } catch (const Error& e) {
      report.failed.push_back(key + ": " + e.what());
    }
  }
  if (dry_run || upserts.empty()) return report;
  try {
    MonthWriter(data_dir, settings.folder).apply(upserts, {});
  } catch (const Error& e) {
    for (const IssueRows& rows : upserts)
      report.failed.push_back(rows.issue_key + ": writing the Jira tables failed: " + e.what());
    report.updated.clear();
    report.healed.clear();
  }
  return report;
}

}  // namespace da::connectors::jira
