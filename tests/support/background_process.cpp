#include "support/background_process.hpp"

#include <csignal>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace da::testing {

namespace {

sockaddr_in loopback(uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

}  // namespace

BackgroundProcess::BackgroundProcess(const std::vector<std::string>& argv,
                                     std::filesystem::path log_file,
                                     const BackgroundOptions& options)
    : log_file_(std::move(log_file)) {
  // Everything the child needs is made before fork(): after it, in a process with threads,
  // only async-signal-safe calls are allowed.
  std::vector<char*> args;
  for (const std::string& arg : argv)
    args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  std::vector<std::string> environment;
  for (char** entry = environ; *entry; ++entry) {
    std::string_view text(*entry);
    if (!options.env.count(std::string(text.substr(0, text.find('=')))))
      environment.emplace_back(text);
  }
  for (const auto& [name, value] : options.env)
    environment.push_back(name + "=" + value);
  std::vector<char*> env;
  for (std::string& entry : environment)
    env.push_back(entry.data());
  env.push_back(nullptr);
  std::string working_dir = options.working_dir ? options.working_dir->string() : "";
  rlimit limit{static_cast<rlim_t>(options.max_open_files.value_or(0)),
               static_cast<rlim_t>(options.max_open_files.value_or(0))};

  int log = ::open(log_file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (log < 0) throw std::runtime_error("cannot create " + log_file_.string());
  int null_in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    ::dup2(log, STDOUT_FILENO);
    ::dup2(log, STDERR_FILENO);
    ::dup2(null_in, STDIN_FILENO);
    if (!working_dir.empty() && ::chdir(working_dir.c_str()) != 0) ::_exit(126);
    if (options.max_open_files && ::setrlimit(RLIMIT_NOFILE, &limit) != 0) ::_exit(125);
    ::execvpe(args[0], args.data(), env.data());
    ::_exit(127);
  }
  ::close(log);
  ::close(null_in);
}

BackgroundProcess::~BackgroundProcess() {
  stop(std::chrono::seconds(5));
}

std::string BackgroundProcess::output() const {
  std::ifstream in(log_file_);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool BackgroundProcess::running() {
  if (status_) return false;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) {
    status_ = status;
    return false;
  }
  return true;
}

std::chrono::milliseconds BackgroundProcess::cpu_time() const {
  std::ifstream in("/proc/" + std::to_string(pid_) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto after_name = stat.rfind(')');
  if (after_name == std::string::npos) return std::chrono::milliseconds(0);
  std::istringstream fields(stat.substr(after_name + 2));
  std::string field;
  long user = 0, system = 0;
  // Fields after the name start at 3 (state); utime and stime are fields 14 and 15.
  for (int index = 3; index <= 15 && fields >> field; ++index) {
    if (index == 14) user = std::stol(field);
    if (index == 15) system = std::stol(field);
  }
  long ticks = ::sysconf(_SC_CLK_TCK);
  return std::chrono::milliseconds((user + system) * 1000 / ticks);
}

int BackgroundProcess::stop(std::chrono::milliseconds grace) {
  if (!running()) return *status_;
  ::kill(pid_, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + grace;
  while (running() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  if (running()) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    status_ = status;
  }
  return *status_;
}

bool BackgroundProcess::wait_for_port(uint16_t port, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!running()) return false;
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address = loopback(port);
    bool connected = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    ::close(fd);
    if (connected) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address = loopback(0);
  socklen_t length = sizeof address;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0)
    throw std::runtime_error("no free loopback port");
  ::close(fd);
  return ntohs(address.sin_port);
}

std::vector<std::string> da_command(const std::vector<std::string>& args) {
  std::vector<std::string> argv{DA_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

}  // namespace da::testing
