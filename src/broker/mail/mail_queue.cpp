#include "da/mail/mail_queue.hpp"

#include <algorithm>

#include "da/common/error.hpp"
#include "da/common/log.hpp"
#include "da/common/time.hpp"
#include "da/mail/mail_log.hpp"
#include "da/store/state_store.hpp"

namespace da::mail {

namespace {

// Each sender thread keeps its own state-store connection.
MailLog log_of(const std::filesystem::path& state_db) {
  thread_local std::unique_ptr<store::StateStore> store;
  thread_local std::filesystem::path opened;
  if (!store || opened != state_db) {
    store = std::make_unique<store::StateStore>(state_db);
    opened = state_db;
  }
  return MailLog(store->database());
}

}  // namespace

MailQueue::MailQueue(MailQueueOptions options, Transport transport)
    : options_(std::move(options)), transport_(std::move(transport)) {
  // Mail a killed process left queued was given up long ago: say so.
  int64_t given_up =
      to_epoch_micros(now_utc()) -
      std::chrono::duration_cast<std::chrono::microseconds>(options_.give_up_after).count();
  log_of(options_.state_db)
      .fail_queued_before(given_up, "not sent: the portal stopped before it could be");
  for (int i = 0; i < std::max(1, options_.senders); ++i)
    senders_.emplace_back([this] { run_sender(); });
}

MailQueue::~MailQueue() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  senders_.clear();  // joins; attempts in progress put their retries back in waiting_
  for (const Pending& pending : waiting_) {
    try {
      log_of(options_.state_db)
          .record_failure(pending.id, pending.attempts,
                          "the portal stopped before the mail could be sent", true);
    } catch (const std::exception& e) {
      log::error("mail: cannot record mail {} as not sent: {}", pending.id, e.what());
    }
  }
}

int64_t MailQueue::enqueue(net::MailMessage message, const std::string& purpose) {
  int64_t id = 0;
  {
    std::lock_guard lock(mutex_);
    if (waiting_.size() + static_cast<std::size_t>(sending_) >= options_.capacity)
      throw Error(ErrorKind::kConflict, "too much mail is waiting to be sent (" +
                                            std::to_string(options_.capacity) +
                                            " messages): try again in a few minutes");
    id = log_of(options_.state_db).record_queued(message.to, message.subject, purpose);
    auto now = Clock::now();
    waiting_.push_back({id, std::move(message), 0, now, now + options_.give_up_after});
  }
  changed_.notify_all();  // wait_idle() waits on it too: one wake-up could go to it
  return id;
}

bool MailQueue::wait_idle(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [this] { return waiting_.empty() && sending_ == 0; });
}

void MailQueue::run_sender() {
  std::unique_lock lock(mutex_);
  while (true) {
    if (stopping_) return;
    auto due = std::min_element(waiting_.begin(), waiting_.end(),
                                [](const Pending& a, const Pending& b) { return a.due < b.due; });
    if (due == waiting_.end()) {
      changed_.wait(lock);
      continue;
    }
    if (due->due > Clock::now()) {
      changed_.wait_until(lock, due->due);
      continue;
    }
    Pending pending = std::move(*due);
    waiting_.erase(due);
    ++sending_;
    lock.unlock();
    attempt(std::move(pending));
    lock.lock();
    --sending_;
    changed_.notify_all();
  }
}

void MailQueue::attempt(Pending pending) {
  ++pending.attempts;
  std::string error;
  try {
    transport_(pending.message);
  } catch (const std::exception& e) {
    error = e.what();
  }
  try {
    MailLog records = log_of(options_.state_db);
    if (error.empty()) {
      records.record_sent(pending.id, pending.attempts);
      return;
    }
    auto retry_in = options_.first_retry * (1 << std::min(pending.attempts - 1, 10));
    bool final =
        pending.attempts >= options_.max_attempts || Clock::now() + retry_in >= pending.give_up_at;
    log::warn("mail: attempt {} to send mail {} ({}) failed{}: {}", pending.attempts, pending.id,
              pending.message.subject, final ? ", giving up" : "", error);
    records.record_failure(pending.id, pending.attempts, error, final);
    if (final) return;
    pending.due = Clock::now() + retry_in;
  } catch (const std::exception& e) {
    log::error("mail: cannot record the delivery of mail {}: {}", pending.id, e.what());
    if (error.empty()) return;
    pending.due = Clock::now() + options_.first_retry;
  }
  std::lock_guard lock(mutex_);
  waiting_.push_back(std::move(pending));
}

}  // namespace da::mail
