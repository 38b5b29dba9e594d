#include "jira/worker/event_worker.hpp"

#include <map>
#include <optional>
#include <string>

#include "jira/api/attachment_download.hpp"
#include "jira/api/issue_fetcher.hpp"
#include "jira/api/jira_client.hpp"
#include "jira/raw/issue_store.hpp"
#include "jira/tables/attachment_paths.hpp"
#include "jira/tables/issue_rows.hpp"
#include "jira/tables/month_writer.hpp"
#include <nlohmann/json.hpp>

#include "da/common/error.hpp"
#include "da/common/log.hpp"
#include "da/common/parallel.hpp"
#include "da/common/time.hpp"

namespace da::connectors::jira {

namespace {

using Json = nlohmann::json;

// What the batch asks of one issue, and what became of it.
struct IssueWork {
  std::string key;
  std::vector<int64_t> event_ids;
  bool delete_newest = false;  // its newest event is jira:issue_deleted
  bool delete_any = false;     // one of its events is
  std::optional<Json> document;
  std::string error;  // set when its events go back to the queue
};

// `key` of `object` when it is a string, else "".
std::string text_of(const Json& object, const char* key) {
  auto found = object.find(key);
  return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

// The document's own key (another one when the issue moved to another project).
std::string key_of(const Json& document, const std::string& asked) {
  std::string key = text_of(document, "key");
  return key.empty() ? asked : key;
}

// One IssueWork per issue key, in the order the keys first appear.
std::vector<IssueWork> collapse(const std::vector<QueuedEvent>& batch) {
  std::vector<IssueWork> works;
  std::map<std::string, size_t> index;
  for (const QueuedEvent& event : batch) {
    auto [found, added] = index.try_emplace(event.issue_key, works.size());
    if (added) works.push_back({event.issue_key, {}, false, false, std::nullopt, {}});
    IssueWork& work = works[found->second];
    work.event_ids.push_back(event.id);
    work.delete_newest = event.action == EventAction::kDelete;
    work.delete_any = work.delete_any || work.delete_newest;
  }
  return works;
}

ClientOptions client_options(const JiraSettings& settings, const JiraSettings::Account& account,
                             std::string credentials_hint) {
  ClientOptions options;
  options.account = {account.base_url, account.email, account.api_token};
  options.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(settings.request_timeout);
  options.retry.max_attempts = settings.retries + 1;
  options.credentials_hint = std::move(credentials_hint);
  return options;
}

}  // namespace

struct EventWorker::Parts {
  Parts(const JiraSettings& settings, std::filesystem::path data_dir)
      : settings(settings),
        data_dir(std::move(data_dir)),
        client(client_options(settings, settings.account, "jira.email and JIRA_API_TOKEN")),
        sla(settings.sla
                ? std::optional<JiraClient>(std::in_place, client_options(settings, *settings.sla,
                                                                          "jira.sla.email and "
                                                                          "JIRA_SLA_API_TOKEN"))
                : std::nullopt),
        fetcher(client, sla ? &*sla : nullptr,
                {settings.custom_fields.first_response, settings.custom_fields.time_to_resolution}),
        store(this->data_dir),
        writer(this->data_dir, settings.folder) {}

  JiraSettings settings;
  std::filesystem::path data_dir;
  JiraClient client;
  std::optional<JiraClient> sla;
  IssueFetcher fetcher;
  IssueStore store;
  MonthWriter writer;

  std::filesystem::path attachments_root() const {
    return data_dir / "raw" / "jira" / "attachments";
  }

  // Fetches every issue that is not to be deleted, with its attachments (before its rows are
  // made: a row's local_path names a file that exists), `parallel` issues at a time.
  void fetch_all(std::vector<IssueWork>& works) const {
    run_parallel(works.size(), settings.parallel, [&](size_t i) {
      IssueWork& work = works[i];
      if (work.delete_newest) return;
      try {
        work.document = fetcher.fetch(work.key);
        if (work.document)
          download_attachments(key_of(*work.document, work.key), *work.document);
        else if (!work.delete_any)
          work.error = "Jira answers 404 for " + work.key + ": the issue is deleted, or " +
                       settings.account.email + " cannot see it";
      } catch (const Error& e) {
        work.error = e.what();
      }
    });
  }

  // Stores each fetched document and makes its rows; marks each issue to delete. An issue
  // that cannot be stored or turned into rows gets its error instead.
  void stage(std::vector<IssueWork>& works, std::vector<IssueRows>& upserts,
             std::vector<std::string>& deleted, BatchReport& report) {
    RowContext context{settings.account.base_url, settings.custom_fields, attachments_root()};
    for (IssueWork& work : works) {
      if (!work.error.empty()) continue;
      try {
        if (!work.document) {
          store.mark_deleted(work.key, now_utc());
          deleted.push_back(work.key);
          ++report.issues_deleted;
          continue;
        }
        // An issue moved to another project answers under its new key: the old one is gone.
        std::string key = key_of(*work.document, work.key);
        IssueRows rows = issue_rows(*work.document, context);
        if (key != work.key) {
          store.mark_deleted(work.key, now_utc());
          deleted.push_back(work.key);
        }
        store.put(key, *work.document);
        upserts.push_back(std::move(rows));
        ++report.issues_written;
      } catch (const Error& e) {
        work.error = e.what();
      }
    }
  }

  // Downloads the document's attachments; a failure is logged, not fatal: the row's local_path
  // stays null and the next event of the issue tries again.
  void download_attachments(const std::string& key, const Json& document) const {
    const Json* attachments = nullptr;
    if (auto fields = document.find("fields"); fields != document.end() && fields->is_object())
      if (auto found = fields->find("attachment"); found != fields->end() && found->is_array())
        attachments = &*found;
    if (attachments == nullptr) return;
    for (const Json& attachment : *attachments) {
      if (!attachment.is_object()) continue;
      std::string id = text_of(attachment, "id");
      try {
        AttachmentFile file;
        file.content_url = text_of(attachment, "content");
        if (file.content_url.empty()) continue;
        if (auto size = attachment.find("size");
            size != attachment.end() && size->is_number_integer())
          file.declared_size = size->get<int64_t>();
        file.target =
            attachments_root() / hierarchical_path(key, id, text_of(attachment, "filename"));
        download_attachment(client, file, settings.attachment_max_bytes);
      } catch (const Error& e) {
        log::warn("jira worker: {}: attachment {} not downloaded: {}", key, id, e.what());
      }
    }
  }
};

EventWorker::EventWorker(const JiraSettings& settings, std::filesystem::path data_dir)
    : parts_(std::make_unique<Parts>(settings, std::move(data_dir))) {}

EventWorker::~EventWorker() = default;

BatchReport EventWorker::apply(const std::vector<QueuedEvent>& batch, EventQueue& queue) {
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  using std::chrono::steady_clock;
  std::vector<IssueWork> works = collapse(batch);
  BatchReport report;
  auto start = steady_clock::now();
  parts_->fetch_all(works);
  auto fetched = steady_clock::now();
  report.fetch_time = duration_cast<milliseconds>(fetched - start);
  std::vector<IssueRows> upserts;
  std::vector<std::string> deleted;
  parts_->stage(works, upserts, deleted, report);
  std::string write_error;
  try {
    if (!upserts.empty() || !deleted.empty()) parts_->writer.apply(upserts, deleted);
  } catch (const Error& e) {
    write_error = std::string("writing the Jira tables failed: ") + e.what();
    log::error("jira worker: {}; the batch's {} event(s) go back to the queue", write_error,
               batch.size());
    report.issues_written = report.issues_deleted = 0;
  }
  report.write_time = duration_cast<milliseconds>(steady_clock::now() - fetched);
  std::vector<int64_t> done;
  for (const IssueWork& work : works) {
    if (write_error.empty() && work.error.empty()) {
      done.insert(done.end(), work.event_ids.begin(), work.event_ids.end());
      continue;
    }
    if (write_error.empty()) log::warn("jira worker: {}: {}", work.key, work.error);
    queue.fail(work.event_ids, write_error.empty() ? work.error : write_error);
    report.events_failed += static_cast<int64_t>(work.event_ids.size());
  }
  queue.complete(done);
  report.events_done = static_cast<int64_t>(done.size());
  return report;
}

}  // namespace da::connectors::jira
