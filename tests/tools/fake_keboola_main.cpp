// fake_keboola --token T --table ID --columns a,b,c [--primary-key a] [--slice FILE.gz]...
//              [--changed-slice FILE.gz]... [--cloud aws|gcp|azure] [--job-polls N]
// Serves one table whose exports are the given gzipped header-less slices, for benchmarks of the
// Keboola connector. Prints "<stack url> <object store url>" on one line, then serves until
// SIGTERM or SIGINT.
#include <csignal>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "fakes/keboola/fake_keboola.hpp"

#include "da/common/strings.hpp"

namespace {

struct Options {
  std::string token = "fake-token";
  da::fakes::FakeTable table;
  std::vector<std::filesystem::path> slices;
  std::vector<std::filesystem::path> changed_slices;
  da::fakes::FakeCloud cloud = da::fakes::FakeCloud::kAws;
  int job_polls = 2;
};

[[noreturn]] void usage(const std::string& problem) {
  std::cerr << "fake_keboola: " << problem
            << "\nusage: fake_keboola --token T --table ID --columns a,b,c [--primary-key a] "
               "[--slice FILE.gz]... [--changed-slice FILE.gz]... [--cloud aws|gcp|azure] "
               "[--job-polls N]\n";
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (i + 1 >= argc) usage("missing value after " + flag);
    std::string value = argv[++i];
    if (flag == "--token") {
      options.token = value;
    } else if (flag == "--table") {
      options.table.id = value;
    } else if (flag == "--columns") {
      options.table.columns = da::split_trimmed(value, ',');
    } else if (flag == "--primary-key") {
      options.table.primary_key = da::split_trimmed(value, ',');
    } else if (flag == "--slice") {
      options.slices.emplace_back(value);
    } else if (flag == "--changed-slice") {
      options.changed_slices.emplace_back(value);
    } else if (flag == "--cloud") {
      if (value == "aws")
        options.cloud = da::fakes::FakeCloud::kAws;
      else if (value == "gcp")
        options.cloud = da::fakes::FakeCloud::kGcp;
      else if (value == "azure")
        options.cloud = da::fakes::FakeCloud::kAzure;
      else
        usage("unknown cloud " + value);
    } else if (flag == "--job-polls") {
      options.job_polls = std::stoi(value);
    } else {
      usage("unknown option " + flag);
    }
  }
  if (options.table.id.empty() || options.table.columns.empty())
    usage("--table and --columns are required");
  return options;
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
    da::fakes::FakeKeboola fake(options.token);
    std::string table_id = options.table.id;
    fake.add_table(options.table);
    if (!options.slices.empty()) fake.set_export_slices(table_id, options.slices);
    if (!options.changed_slices.empty())
      fake.set_changed_export_slices(table_id, options.changed_slices);
    fake.set_cloud(options.cloud);
    fake.set_job_polls(options.job_polls);
    std::cout << fake.url() << " " << fake.object_store_url() << std::endl;
    int received = 0;
    sigwait(&signals, &received);
  } catch (const std::exception& error) {
    std::cerr << "fake_keboola: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
