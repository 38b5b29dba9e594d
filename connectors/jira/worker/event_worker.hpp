// Applies claimed webhook events (da jira worker). A batch is collapsed to one action per
// issue: deleted when its newest event is jira:issue_deleted, else fetched once, however many
// events named it. The issues and their attachments are fetched in parallel
// (jira.requests.parallel); each document is stored (raw/issue_store.hpp), and the rows of every
// issue of the batch are written with one MonthWriter::apply, so a burst costs one rewrite per
// touched month. A failed attachment download is logged, not fatal (its row's local_path is
// null until a later event of the issue downloads it).
// An issue whose fetch fails sends its events back to the queue with a backoff; a failed write
// sends the whole batch back. The other issues' events are done.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <vector>

#include "jira/jira_settings.hpp"
#include "jira/webhook/event_queue.hpp"

namespace da::connectors::jira {

struct BatchReport {
  int64_t issues_written = 0;
  int64_t issues_deleted = 0;
  int64_t events_done = 0;
  int64_t events_failed = 0;
  std::chrono::milliseconds fetch_time{0};  // issues and attachments
  std::chrono::milliseconds write_time{0};  // documents and the month files
};

class EventWorker {
 public:
  EventWorker(const JiraSettings& settings, std::filesystem::path data_dir);
  ~EventWorker();

  // Applies `batch` (claimed from `queue`) and completes or fails each of its events there.
  BatchReport apply(const std::vector<QueuedEvent>& batch, EventQueue& queue);

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

}  // namespace da::connectors::jira
