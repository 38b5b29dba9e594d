#include "da/net/connection_limiter.hpp"

namespace da::net {

ConnectionLimiter::ConnectionLimiter(int per_address) : per_address_(per_address) {}

ConnectionLimiter::Slot::Slot(ConnectionLimiter* owner, std::string address)
    : owner_(owner), address_(std::move(address)) {}

ConnectionLimiter::Slot::Slot(Slot&& other) noexcept
    : owner_(other.owner_), address_(std::move(other.address_)) {
  other.owner_ = nullptr;
}

ConnectionLimiter::Slot& ConnectionLimiter::Slot::operator=(Slot&& other) noexcept {
  if (this != &other) {
    if (owner_) owner_->release(address_);
    owner_ = other.owner_;
    address_ = std::move(other.address_);
    other.owner_ = nullptr;
  }
  return *this;
}

ConnectionLimiter::Slot::~Slot() {
  if (owner_) owner_->release(address_);
}

std::optional<ConnectionLimiter::Slot> ConnectionLimiter::admit(const std::string& address) {
  std::lock_guard lock(mutex_);
  int& count = open_[address];
  if (per_address_ > 0 && count >= per_address_) return std::nullopt;
  ++count;
  return Slot(this, address);
}

int ConnectionLimiter::open(const std::string& address) const {
  std::lock_guard lock(mutex_);
  auto found = open_.find(address);
  return found == open_.end() ? 0 : found->second;
}

void ConnectionLimiter::release(const std::string& address) {
  std::lock_guard lock(mutex_);
  auto found = open_.find(address);
  if (found == open_.end()) return;
  if (--found->second <= 0) open_.erase(found);
}

}  // namespace da::net
