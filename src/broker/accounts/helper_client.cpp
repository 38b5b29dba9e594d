#include "da/accounts/helper_client.hpp"

#include <cerrno>
#include <cstring>

#include <nlohmann/json.hpp>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "da/common/error.hpp"
#include "da/common/log.hpp"

namespace da::accounts {

namespace {

using Clock = std::chrono::steady_clock;

ErrorKind kind_named(const std::string& name) {
  for (ErrorKind kind :
       {ErrorKind::kConfig, ErrorKind::kData, ErrorKind::kRequest, ErrorKind::kSource,
        ErrorKind::kConflict, ErrorKind::kAuth, ErrorKind::kNotFound})
    if (name == to_string(kind)) return kind;
  return ErrorKind::kInternal;
}

}  // namespace

nlohmann::json HelperClient::call(const nlohmann::json& request) const {
  auto unreachable = [&](const std::string& why) -> Error {
    return Error(ErrorKind::kInternal, "the account helper at " + socket_.string() + " " + why +
                                           " (is `da account-helper` running?)");
  };
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (socket_.string().size() >= sizeof address.sun_path) throw unreachable("has too long a path");
  std::strcpy(address.sun_path, socket_.c_str());
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw unreachable(std::string("cannot be reached: ") + std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
    throw unreachable(std::string("cannot be reached: ") + std::strerror(errno));
  std::string line = request.dump() + "\n";
  if (::send(fd, line.data(), line.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(line.size()))
    throw unreachable("did not take the request");
  ::shutdown(fd, SHUT_WR);
  std::string answer;
  auto deadline = Clock::now() + timeout_;
  char buffer[4096];
  while (answer.find('\n') == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) throw unreachable("did not answer in time");
    pollfd poll_fd{fd, POLLIN, 0};
    int ready = ::poll(&poll_fd, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;
    ssize_t got = ::recv(fd, buffer, sizeof buffer, 0);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    answer.append(buffer, static_cast<std::size_t>(got));
    if (answer.size() > 1 << 20) throw unreachable("answered too much");
  }
  auto reply = nlohmann::json::parse(answer, nullptr, false);
  if (!reply.is_object() || !reply.contains("ok")) throw unreachable("answered nonsense");
  if (!reply.value("ok", false))
    throw Error(kind_named(reply.value("kind", "internal")), reply.value("error", "failed"));
  return reply;
}

identity::ProvisionResult HelperProvisioner::provision(const identity::User& user,
                                                       const std::string& ssh_public_key) {
  nlohmann::json reply =
      client_.call({{"op", "provision"}, {"username", user.username}, {"ssh_key", ssh_public_key}});
  return {true, reply.value("message", "Your server account " + user.username + " is ready.")};
}

void HelperProvisioner::selection_changed(const std::string& username) {
  client_.call({{"op", "sync_filters"}, {"username", username}});
}

}  // namespace da::accounts
