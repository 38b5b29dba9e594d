// fake_jira [--email E] [--token T] [--project KEY] [--issues N] [--months M] [--first-month
// YYYY-MM]
//           [--comments C] [--histories H]
// Serves a fake Jira Cloud (tests/fakes/jira/fake_jira.hpp) with issues KEY-1..KEY-N created
// round-robin over M months from the first month (default SUPPORT, 2000 issues, 24 months from
// 2025-01, 3 comments and 5 histories each), for benchmarks of the Jira connector. Prints
// "<base url> <sla base url>" on one line, then serves until SIGTERM or SIGINT.
#include <csignal>
#include <cstdio>
#include <iostream>
#include <string>

#include "fakes/jira/fake_jira.hpp"
#include <fmt/core.h>

namespace {

struct Options {
  std::string email = "bot@example.com";
  std::string token = "jira-token";
  std::string project = "SUPPORT";
  int issues = 2000;
  int months = 24;
  int first_year = 2025;
  int first_month = 1;
  int comments = 3;
  int histories = 5;
};

[[noreturn]] void usage(const std::string& problem) {
  std::cerr << "fake_jira: " << problem
            << "\nusage: fake_jira [--email E] [--token T] [--project KEY] [--issues N] "
               "[--months M] [--first-month YYYY-MM] [--comments C] [--histories H]\n";
  std::exit(2);
}

int number(const std::string& flag, const std::string& value) {
  try {
    return std::stoi(value);
  } catch (const std::exception&) {
    usage(flag + " needs a number, not '" + value + "'");
  }
}

Options parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (i + 1 >= argc) usage("missing value after " + flag);
    std::string value = argv[++i];
    if (flag == "--email") {
      options.email = value;
    } else if (flag == "--token") {
      options.token = value;
    } else if (flag == "--project") {
      options.project = value;
    } else if (flag == "--issues") {
      options.issues = number(flag, value);
    } else if (flag == "--months") {
      options.months = number(flag, value);
    } else if (flag == "--first-month") {
      if (std::sscanf(value.c_str(), "%4d-%2d", &options.first_year, &options.first_month) != 2)
        usage("--first-month needs YYYY-MM");
    } else if (flag == "--comments") {
      options.comments = number(flag, value);
    } else if (flag == "--histories") {
      options.histories = number(flag, value);
    } else {
      usage("unknown option " + flag);
    }
  }
  if (options.months < 1 || options.issues < 0) usage("--months must be >= 1, --issues >= 0");
  return options;
}

void add_issues(da::fakes::FakeJira& fake, const Options& options) {
  for (int n = 1; n <= options.issues; ++n) {
    int month_index = (n - 1) % options.months + options.first_month - 1;
    da::fakes::FakeJiraIssue issue;
    issue.key = options.project + "-" + std::to_string(n);
    issue.summary = "Issue " + std::to_string(n);
    issue.created =
        fmt::format("{:04}-{:02}-{:02}T10:00:00.000+0000", options.first_year + month_index / 12,
                    month_index % 12 + 1, (n - 1) / options.months % 28 + 1);
    issue.comments = options.comments;
    issue.histories = options.histories;
    fake.add_issue(std::move(issue));
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options options = parse(argc, argv);
  // Blocked before the server's threads start, so they inherit the mask and sigwait() below is
  // the only receiver.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  try {
    da::fakes::FakeJira fake(options.email, options.token);
    add_issues(fake, options);
    std::cout << fake.url() << " " << fake.sla_base_url() << std::endl;
    int received = 0;
    sigwait(&signals, &received);
  } catch (const std::exception& error) {
    std::cerr << "fake_jira: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
