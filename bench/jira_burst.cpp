// Load for the Jira connector's benchmark (bench/jira.sh), over real HTTP on 127.0.0.1:
//   jira_burst send --url URL --secret S --project KEY --issues N --events E [--connections C]
//       E signed webhook deliveries (X-Hub-Signature-256) for issues KEY-1..KEY-N, in a shuffled
//       order with a fixed seed: mostly jira:issue_updated, some comment_created/updated and
//       issuelink_created. Prints "sent <E> failed <F> seconds <S> per_second <R> p99_ms <P>".
//   jira_burst fetch --url URL --email E --token T --project KEY --issues N [--connections C]
//       GETs every issue once as the connector does (expand=renderedFields,changelog): the floor
//       any connector pays for the API calls alone. Prints "fetched <N> failed <F> seconds <S>".
//   jira_burst verify --parquet DIR --project KEY --issues N --comments C --histories H
//       Reads DIR/<table>/*.parquet and checks that every issue is there exactly once with C
//       comments and H changelog rows. Prints what it found; exit 1 on a mismatch.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "da/common/crypto.hpp"
#include "da/common/error.hpp"
#include "da/duck/connection.hpp"
#include "da/duck/database.hpp"
#include "da/duck/sql_quote.hpp"
#include "da/net/http_client.hpp"

namespace {

using Clock = std::chrono::steady_clock;

std::map<std::string, std::string> parse_flags(int argc, char** argv) {
  std::map<std::string, std::string> flags;
  for (int i = 2; i + 1 < argc; i += 2) flags[argv[i]] = argv[i + 1];
  return flags;
}

std::string flag(const std::map<std::string, std::string>& flags, const std::string& name,
                 const std::string& fallback = "") {
  auto found = flags.find(name);
  if (found != flags.end()) return found->second;
  if (fallback.empty()) throw da::Error(da::ErrorKind::kConfig, "jira_burst: " + name + " is required");
  return fallback;
}

std::string hex(std::string_view bytes) {
  std::string out;
  for (unsigned char c : bytes) out += fmt::format("{:02x}", c);
  return out;
}

std::string base64(std::string_view text) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < text.size(); i += 3) {
    uint32_t n = (uint8_t(text[i]) << 16) | (uint8_t(text[i + 1]) << 8) | uint8_t(text[i + 2]);
    for (int shift : {18, 12, 6, 0}) out += kAlphabet[(n >> shift) & 63];
  }
  if (i < text.size()) {
    uint32_t n = uint8_t(text[i]) << 16;
    if (i + 1 < text.size()) n |= uint8_t(text[i + 1]) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < text.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// Runs `work(i)` for i in [0, count) on `connections` threads; returns seconds and the
// latencies of each call.
template <typename Work>
double run_parallel(int count, int connections, std::vector<double>& latencies_ms, Work work) {
  std::atomic<int> next{0};
  std::mutex mutex;
  auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < connections; ++t) {
    threads.emplace_back([&] {
      std::vector<double> mine;
      for (int i = next++; i < count; i = next++) {
        auto begin = Clock::now();
        work(i);
        mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - begin).count());
      }
      std::lock_guard lock(mutex);
      latencies_ms.insert(latencies_ms.end(), mine.begin(), mine.end());
    });
  }
  for (auto& thread : threads) thread.join();
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double p99(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, values.size() * 99 / 100)];
}

int send(const std::map<std::string, std::string>& flags) {
  const std::string url = flag(flags, "--url");
  const std::string secret = flag(flags, "--secret");
  const std::string project = flag(flags, "--project", "SUPPORT");
  const int issues = std::stoi(flag(flags, "--issues", "2000"));
  const int events = std::stoi(flag(flags, "--events", "10000"));
  const int connections = std::stoi(flag(flags, "--connections", "16"));

  std::vector<int> order(events);
  for (int i = 0; i < events; ++i) order[i] = i % issues + 1;
  std::shuffle(order.begin(), order.end(), std::mt19937(20261208));
  static const char* kKinds[] = {"jira:issue_updated", "jira:issue_updated", "jira:issue_updated",
                                 "comment_created",    "comment_updated",    "issuelink_created"};

  std::atomic<int> failed{0};
  std::vector<double> latencies;
  da::net::HttpClient client;
  double seconds = run_parallel(events, connections, latencies, [&](int i) {
    const std::string key = fmt::format("{}-{}", project, order[i]);
    nlohmann::json event = {{"timestamp", 1765000000000LL + i},
                            {"webhookEvent", kKinds[i % 6]},
                            {"issue", {{"key", key}, {"fields", {{"summary", "changed"}}}}}};
    da::net::HttpRequest request;
    request.method = "POST";
    request.url = url;
    request.body = event.dump();
    request.headers = {{"Content-Type", "application/json"},
                       {"X-Hub-Signature-256", "sha256=" + hex(da::hmac_sha256(secret, request.body))}};
    try {
      auto response = client.send(request);
      if (response.status / 100 != 2) ++failed;
    } catch (const da::Error&) {
      ++failed;
    }
  });
  fmt::print("sent {} failed {} seconds {:.2f} per_second {:.0f} p99_ms {:.1f}\n", events,
             failed.load(), seconds, events / seconds, p99(latencies));
  return failed == 0 ? 0 : 1;
}

int fetch(const std::map<std::string, std::string>& flags) {
  const std::string url = flag(flags, "--url");
  const std::string authorization =
      "Basic " + base64(flag(flags, "--email") + ":" + flag(flags, "--token"));
  const std::string project = flag(flags, "--project", "SUPPORT");
  const int issues = std::stoi(flag(flags, "--issues", "2000"));
  const int connections = std::stoi(flag(flags, "--connections", "4"));
  std::atomic<int> failed{0};
  std::vector<double> latencies;
  da::net::HttpClient client;
  double seconds = run_parallel(issues, connections, latencies, [&](int i) {
    da::net::HttpRequest request;
    request.url = fmt::format("{}/rest/api/3/issue/{}-{}?expand=renderedFields,changelog&fields=*all",
                              url, project, i + 1);
    request.headers = {{"Authorization", authorization}, {"Accept", "application/json"}};
    try {
      if (client.send(request).status != 200) ++failed;
    } catch (const da::Error&) {
      ++failed;
    }
  });
  fmt::print("fetched {} failed {} seconds {:.2f}\n", issues, failed.load(), seconds);
  return failed == 0 ? 0 : 1;
}

int64_t scalar(da::duck::Connection& connection, const std::string& sql) {
  return connection.query(sql).scalar().as_int();
}

int verify(const std::map<std::string, std::string>& flags) {
  const std::string parquet = flag(flags, "--parquet");
  const int issues = std::stoi(flag(flags, "--issues", "2000"));
  const int comments = std::stoi(flag(flags, "--comments", "3"));
  const int histories = std::stoi(flag(flags, "--histories", "5"));
  da::duck::Database database;
  da::duck::Connection connection(database);
  auto files = [&](const std::string& table) {
    return "read_parquet(" + da::duck::quote_literal(parquet + "/" + table + "/*.parquet") + ")";
  };
  int64_t issue_rows = scalar(connection, "SELECT count(*) FROM " + files("issues"));
  int64_t distinct_issues =
      scalar(connection, "SELECT count(DISTINCT issue_key) FROM " + files("issues"));
  int64_t comment_rows = scalar(connection, "SELECT count(*) FROM " + files("comments"));
  int64_t changelog_rows = scalar(connection, "SELECT count(*) FROM " + files("changelog"));
  int64_t months = scalar(connection, "SELECT count(DISTINCT filename) FROM read_parquet(" +
                                          da::duck::quote_literal(parquet + "/issues/*.parquet") +
                                          ", filename = true)");
  bool ok = issue_rows == issues && distinct_issues == issues &&
            comment_rows == int64_t{issues} * comments &&
            changelog_rows == int64_t{issues} * histories;
  fmt::print("issues {} (distinct {}), comments {}, changelog {}, months {}: {}\n", issue_rows,
             distinct_issues, comment_rows, changelog_rows, months,
             ok ? "every row correct" : "MISMATCH");
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    fmt::print(stderr, "usage: jira_burst send|fetch|verify --flag value ...\n");
    return 2;
  }
  try {
    const std::string mode = argv[1];
    auto flags = parse_flags(argc, argv);
    if (mode == "send") return send(flags);
    if (mode == "fetch") return fetch(flags);
    if (mode == "verify") return verify(flags);
    fmt::print(stderr, "jira_burst: unknown mode {}\n", mode);
    return 2;
  } catch (const std::exception& error) {
    fmt::print(stderr, "jira_burst: {}\n", error.what());
    return 1;
  }
}
