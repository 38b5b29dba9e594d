// Sends mail in the background, so that no request waits on a mail relay: a caller queues a
// message and returns at once; `senders` threads deliver through the relay, retrying failed
// attempts with growing pauses until `give_up_after`, and every outcome is recorded in the
// MailLog for administrators. The queue is bounded, and the message bodies live only in
// memory (they carry sign-in links): mail still queued when the process stops is recorded
// failed, never replayed from disk.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "da/net/smtp_client.hpp"

namespace da::mail {

struct MailQueueOptions {
  std::filesystem::path state_db;
  int senders = 2;
  std::size_t capacity = 1000;  // messages waiting; enqueue() refuses beyond
  int max_attempts = 4;
  std::chrono::milliseconds first_retry{5'000};  // doubled after each failed attempt
  std::chrono::minutes give_up_after{15};        // sign-in links expire by then
};

class MailQueue {
 public:
  // Delivers one message; throws Error on failure. Normally SmtpClient::send.
  using Transport = std::function<void(const net::MailMessage&)>;

  MailQueue(MailQueueOptions options, Transport transport);
  // Stops: attempts in progress finish (each is bounded by the relay timeout); messages
  // still waiting are recorded failed.
  ~MailQueue();
  MailQueue(const MailQueue&) = delete;
  MailQueue& operator=(const MailQueue&) = delete;

  // Records the mail as queued and returns its record id. Throws Error(kConflict) when
  // `capacity` messages are already waiting.
  int64_t enqueue(net::MailMessage message, const std::string& purpose);
  // Blocks until nothing is waiting or being sent, or `timeout` passes; true when idle.
  bool wait_idle(std::chrono::milliseconds timeout);

 private:
  using Clock = std::chrono::steady_clock;
  struct Pending {
    int64_t id;
    net::MailMessage message;
    int attempts = 0;
    Clock::time_point due;
    Clock::time_point give_up_at;
  };
  void run_sender();
  void attempt(Pending pending);

  MailQueueOptions options_;
  Transport transport_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Pending> waiting_;
  int sending_ = 0;
  bool stopping_ = false;
  std::vector<std::jthread> senders_;
};

}  // namespace da::mail
