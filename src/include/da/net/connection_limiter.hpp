// Caps the connections one client address may hold open on a server, so that a single
// client cannot take every descriptor. Thread-safe; a Slot gives its place back when it is
// destroyed.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace da::net {

class ConnectionLimiter {
 public:
  // `per_address` 0 means no cap.
  explicit ConnectionLimiter(int per_address);

  class Slot {
   public:
    Slot(Slot&& other) noexcept;
    Slot& operator=(Slot&& other) noexcept;
    Slot(const Slot&) = delete;
    ~Slot();

   private:
    friend class ConnectionLimiter;
    Slot(ConnectionLimiter* owner, std::string address);
    ConnectionLimiter* owner_;
    std::string address_;
  };

  // A place for one more connection from `address`, or nullopt when it holds the cap already.
  // The limiter must outlive the slots it gives.
  std::optional<Slot> admit(const std::string& address);
  // Connections `address` holds now.
  int open(const std::string& address) const;
  int per_address() const { return per_address_; }

 private:
  void release(const std::string& address);

  int per_address_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, int> open_;
};

}  // namespace da::net
