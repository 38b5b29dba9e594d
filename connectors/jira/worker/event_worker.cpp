#include "jira/worker/event_worker.hpp"

#include <map>
#include <optional>
#include <string>

#include "jira/raw/issue_store.hpp"
#include "jira/tables/issue_rows.hpp"
#include "jira/tables/month_writer.hpp"
#include "jira/worker/issue_sync.hpp"
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

}  // namespace

struct EventWorker::Parts {
  Parts(const JiraSettings& settings, std::filesystem::path data_dir)
      : settings(settings), sync(settings, data_dir), writer(data_dir, settings.folder) {}

  JiraSettings settings;
  IssueSync sync;
  MonthWriter writer;

  // Fetches every issue that is not to be deleted, with its attachments (before its rows are
  // made: a row's local_path names a file that exists), `parallel` issues at a time.
  void fetch_all(std::vector<IssueWork>& works) const {
    run_parallel(works.size(), settings.parallel, [&](size_t i) {
      IssueWork& work = works[i];
      if (work.delete_newest) return;
      try {
        work.document = sync.fetch(work.key);
        if (!work.document && !work.delete_any)
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
    RowContext context = sync.row_context();
    IssueStore& store = sync.store();
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
        std::string key = document_key(*work.document, work.key);
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
