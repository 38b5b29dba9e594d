// ws_bench: loads a running `da ws-gateway` with N authenticated WebSocket clients (one user
// each) over loopback, then writes one notification per user into the outbox and measures, for
// each, the time from its outbox write to its arrival at the client. Prints the gateway's RSS
// growth and the latency percentiles. Clients are non-blocking sockets on one epoll loop; they
// answer the gateway's pings, and with --deflate 1 ask for permessage-deflate as browsers do.
//
//   ws_bench --state-db FILE --secret S --issuer I --port P --gateway-pid PID --clients N
//            [--deflate 0|1]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <nlohmann/json.hpp>

#include "da/identity/api_token_store.hpp"
#include "da/identity/jwt.hpp"
#include "da/notify/outbox.hpp"
#include "da/store/state_store.hpp"

namespace {

using Clock = std::chrono::steady_clock;

struct Client {
  int fd = -1;
  std::string buffer;
  bool upgraded = false;
  bool authenticated = false;
  std::string auth;
  int64_t user_id = 0;
  // The server's compressed messages share one window per connection (context takeover).
  z_stream inflater{};
  bool inflating = false;
};

int64_t rss_kib(int pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6));
  return -1;
}

void send_frame(int fd, int opcode, const std::string& text) {
  std::string frame;
  frame.push_back(static_cast<char>(0x80 | opcode));
  if (text.size() < 126) {
    frame.push_back(static_cast<char>(0x80 | text.size()));
  } else {
    frame.push_back(static_cast<char>(0x80 | 126));
    frame.push_back(static_cast<char>(text.size() >> 8));
    frame.push_back(static_cast<char>(text.size() & 0xff));
  }
  const char mask[4] = {0x11, 0x22, 0x33, 0x44};
  frame.append(mask, 4);
  for (std::size_t i = 0; i < text.size(); ++i) frame.push_back(text[i] ^ mask[i % 4]);
  (void)::send(fd, frame.data(), frame.size(), MSG_NOSIGNAL);
}

void send_text(int fd, const std::string& text) {
  send_frame(fd, 0x1, text);
}

// A permessage-deflate message's payload, inflated (RFC 7692 section 7.2.2).
std::string inflated(Client& client, std::string payload) {
  if (!client.inflating) {
    inflateInit2(&client.inflater, -15);
    client.inflating = true;
  }
  payload.append("\x00\x00\xff\xff", 4);
  client.inflater.next_in = reinterpret_cast<Bytef*>(payload.data());
  client.inflater.avail_in = static_cast<uInt>(payload.size());
  std::string out;
  char chunk[4096];
  do {
    client.inflater.next_out = reinterpret_cast<Bytef*>(chunk);
    client.inflater.avail_out = sizeof chunk;
    if (inflate(&client.inflater, Z_SYNC_FLUSH) < 0) break;
    out.append(chunk, sizeof chunk - client.inflater.avail_out);
  } while (client.inflater.avail_in > 0 || client.inflater.avail_out == 0);
  return out;
}

// Takes every complete text frame out of the client's buffer (inflated when compressed) and
// answers pings.
std::vector<std::string> frames(Client& client) {
  std::string& buffer = client.buffer;
  std::vector<std::string> out;
  while (buffer.size() >= 2) {
    uint64_t length = static_cast<unsigned char>(buffer[1]) & 0x7f;
    std::size_t header = 2;
    if (length == 126) {
      if (buffer.size() < 4) break;
      length = (static_cast<unsigned char>(buffer[2]) << 8) | static_cast<unsigned char>(buffer[3]);
      header = 4;
    } else if (length == 127) {
      if (buffer.size() < 10) break;
      length = 0;
      for (int i = 2; i < 10; ++i) length = (length << 8) | static_cast<unsigned char>(buffer[i]);
      header = 10;
    }
    if (buffer.size() < header + length) break;
    int opcode = buffer[0] & 0x0f;
    bool compressed = (buffer[0] & 0x40) != 0;
    std::string payload = buffer.substr(header, length);
    if (opcode == 0x1) out.push_back(compressed ? inflated(client, std::move(payload)) : payload);
    if (opcode == 0x9) send_frame(client.fd, 0xA, payload);
    buffer.erase(0, header + length);
  }
  return out;
}

std::string argument(int argc, char** argv, const std::string& name, const std::string& fallback = "") {
  for (int i = 1; i + 1 < argc; ++i)
    if (argv[i] == "--" + name) return argv[i + 1];
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  std::string state_db = argument(argc, argv, "state-db");
  std::string secret = argument(argc, argv, "secret");
  std::string issuer = argument(argc, argv, "issuer", "data-analyst");
  int port = std::stoi(argument(argc, argv, "port", "8765"));
  int gateway_pid = std::stoi(argument(argc, argv, "gateway-pid", "0"));
  int count = std::stoi(argument(argc, argv, "clients", "10000"));
  bool deflate = argument(argc, argv, "deflate", "0") == "1";
  rlimit limit{};
  ::getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &limit);

  // Users with a desktop link each, in one transaction.
  std::vector<Client> clients(static_cast<std::size_t>(count));
  {
    da::store::StateStore store(state_db);
    auto& db = store.database();
    int64_t now = static_cast<int64_t>(std::time(nullptr));
    db.write_transaction([&] {
      for (int i = 0; i < count; ++i) {
        std::string name = "wsbench" + std::to_string(i);
        db.prepare("INSERT INTO users (email, username, created_at) VALUES (?, ?, 0)")
            .bind_all(name + "@example.com", name + "_example_com")
            .run();
        int64_t user_id = db.last_insert_rowid();
        std::string family = "bench-family-" + std::to_string(i);
        db.prepare(
              "INSERT INTO api_tokens (token_hash, user_id, kind, name, family, created_at) "
              "VALUES (?, ?, 'desktop_refresh', 'bench', ?, 0)")
            .bind_all("bench-hash-" + std::to_string(i), user_id, family)
            .run();
        clients[static_cast<std::size_t>(i)].user_id = user_id;
        clients[static_cast<std::size_t>(i)].auth =
            nlohmann::json{{"type", "auth"},
                           {"token", da::identity::jwt_sign_hs256(
                                         {{"iss", issuer}, {"sub", name + "_example_com"},
                                          {"uid", user_id}, {"fam", family}, {"iat", now},
                                          {"exp", now + 3600}},
                                         secret)}}
                .dump();
      }
    });
  }

  int64_t rss_before = rss_kib(gateway_pid);
  int epoll = ::epoll_create1(0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string upgrade = std::string(
                            "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                            "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                            "Sec-WebSocket-Version: 13\r\n") +
                        (deflate ? "Sec-WebSocket-Extensions: permessage-deflate; "
                                   "client_max_window_bits\r\n"
                                 : "") +
                        "\r\n";
  auto started = Clock::now();
  // Clients connect in batches between rounds of reading: a client connected early must get
  // its upgrade answer read and its auth sent within the gateway's 10 s auth timeout, also
  // on a loaded machine.
  int connected = 0;
  auto connect_batch = [&](int batch) {
    for (int end = std::min(count, connected + batch); connected < end; ++connected) {
      Client& client = clients[static_cast<std::size_t>(connected)];
      client.fd = ::socket(AF_INET, SOCK_STREAM, 0);
      if (client.fd < 0 ||
          ::connect(client.fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        std::fprintf(stderr, "connection %d failed: %s\n", connected, std::strerror(errno));
        return false;
      }
      ::send(client.fd, upgrade.data(), upgrade.size(), MSG_NOSIGNAL);
      ::fcntl(client.fd, F_SETFL, O_NONBLOCK);
      epoll_event event{};
      event.events = EPOLLIN;
      event.data.u32 = static_cast<uint32_t>(connected);
      ::epoll_ctl(epoll, EPOLL_CTL_ADD, client.fd, &event);
    }
    return true;
  };

  std::map<int64_t, Clock::time_point> written;  // notification id -> outbox write
  std::mutex written_mutex;
  std::vector<double> latencies_ms;
  int authenticated = 0;
  std::atomic<bool> writing_done{false};
  std::thread writer;
  int64_t rss_connected = -1;
  auto deadline = Clock::now() + std::chrono::seconds(180);
  std::vector<epoll_event> events(1024);
  char chunk[16384];
  std::map<int64_t, Clock::time_point> arrived;  // notification id -> receipt
  while (Clock::now() < deadline && static_cast<int>(arrived.size()) < count) {
    if (connected < count && !connect_batch(200)) return 1;
    int ready = ::epoll_wait(epoll, events.data(), static_cast<int>(events.size()),
                             connected < count ? 0 : 100);
    for (int e = 0; e < ready; ++e) {
      Client& client = clients[events[static_cast<std::size_t>(e)].data.u32];
      while (true) {
        ssize_t got = ::recv(client.fd, chunk, sizeof chunk, 0);
        if (got <= 0) break;
        client.buffer.append(chunk, static_cast<std::size_t>(got));
      }
      if (!client.upgraded) {
        auto end = client.buffer.find("\r\n\r\n");
        if (end == std::string::npos) continue;
        client.upgraded = true;
        client.buffer.erase(0, end + 4);
        send_text(client.fd, client.auth);
      }
      for (const std::string& text : frames(client)) {
        if (text.find("\"auth_ok\"") != std::string::npos) {
          client.authenticated = true;
          ++authenticated;
        } else if (text.find("\"notification\"") != std::string::npos) {
          auto now = Clock::now();
          // The writer records a write after it returns, which can be after the arrival:
          // latencies are computed at the end.
          arrived[nlohmann::json::parse(text)["id"].get<int64_t>()] = now;
        } else if (text.find("\"ping\"") != std::string::npos) {
          send_text(client.fd, R"({"type":"pong"})");
        }
      }
    }
    if (authenticated == count && !writer.joinable()) {
      std::this_thread::sleep_for(std::chrono::seconds(2));  // let the allocator settle
      rss_connected = rss_kib(gateway_pid);
      std::printf("%d clients authenticated in %.1f s\n", count,
                  std::chrono::duration<double>(Clock::now() - started).count());
      std::fflush(stdout);
      writer = std::thread([&] {
        da::store::StateStore store(state_db);
        da::notify::Outbox outbox(store.database());
        for (const Client& target : clients) {
          da::notify::NewNotification notification;
          notification.user_id = target.user_id;
          notification.title = "bench";
          notification.message = "one for each";
          notification.source = "bench";
          // The write time is taken before the write, so the latency includes it.
          auto at = Clock::now();
          auto stored = outbox.enqueue(notification);
          std::lock_guard lock(written_mutex);
          written[stored.id] = at;
        }
        writing_done = true;
      });
    }
  }
  if (writer.joinable()) writer.join();
  for (const auto& [id, at] : arrived) {
    auto found = written.find(id);
    if (found != written.end())
      latencies_ms.push_back(std::chrono::duration<double, std::milli>(at - found->second).count());
  }
  int64_t rss_after = rss_kib(gateway_pid);
  std::sort(latencies_ms.begin(), latencies_ms.end());
  auto percentile = [&](double p) {
    if (latencies_ms.empty()) return -1.0;
    return latencies_ms[std::min(latencies_ms.size() - 1,
                                 static_cast<std::size_t>(p * static_cast<double>(latencies_ms.size())))];
  };
  std::printf("clients=%d authenticated=%d delivered=%zu\n", count, authenticated, latencies_ms.size());
  std::printf("gateway_rss_kib before=%lld connected=%lld after=%lld growth_mib=%.1f\n",
              static_cast<long long>(rss_before), static_cast<long long>(rss_connected),
              static_cast<long long>(rss_after), static_cast<double>(rss_connected - rss_before) / 1024.0);
  std::printf("latency_ms p50=%.1f p99=%.1f max=%.1f\n", percentile(0.50), percentile(0.99),
              latencies_ms.empty() ? -1.0 : latencies_ms.back());
  int compressed = 0;
  for (Client& client : clients) {
    ::close(client.fd);
    if (client.inflating) {
      ++compressed;
      inflateEnd(&client.inflater);
    }
  }
  std::printf("clients_receiving_compressed=%d\n", compressed);
  return authenticated == count && static_cast<int>(latencies_ms.size()) == count ? 0 : 1;
}
