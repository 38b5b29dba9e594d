#include "keboola/adapter/keboola_settings.hpp"

namespace da::connectors::keboola {

KeboolaSettings read_keboola_settings(const config::NodeReader& section) {
  section.warn_unknown_keys({"stack_url", "storage_token", "project_id", "parallel_exports",
                             "parallel_downloads", "connect_timeout_seconds",
                             "request_timeout_seconds", "slice_timeout_seconds", "retries",
                             "job_timeout_minutes", "metadata_ttl_minutes", "chunked_load_min_mb",
                             "object_store_endpoint"});
  KeboolaSettings settings;
  section.require("stack_url", "the Keboola stack, e.g. https://connection.keboola.com");
  section.require("storage_token", "write ${KEBOOLA_STORAGE_TOKEN} and put the token in .env");
  settings.client.stack_url = section.string("stack_url");
  if (!settings.client.stack_url.empty() && settings.client.stack_url.rfind("https://", 0) != 0 &&
      settings.client.stack_url.rfind("http://", 0) != 0)
    section.child("stack_url")
        .error("must be an http(s) URL, found '" + settings.client.stack_url + "'");
  settings.client.token = section.string("storage_token");
  settings.project_id = section.string("project_id");
  settings.parallel_exports = static_cast<int>(section.integer("parallel_exports", 4, 1, 32));
  settings.download.parallel = static_cast<int>(section.integer("parallel_downloads", 8, 1, 64));
  auto seconds = [&](const char* key, int64_t fallback) {
    return std::chrono::milliseconds(section.integer(key, fallback, 1, 86'400) * 1000);
  };
  settings.client.connect_timeout = seconds("connect_timeout_seconds", 10);
  settings.client.request_timeout = seconds("request_timeout_seconds", 120);
  settings.download.connect_timeout = settings.client.connect_timeout;
  settings.download.slice_timeout = seconds("slice_timeout_seconds", 3600);
  settings.client.retry.max_attempts = static_cast<int>(section.integer("retries", 6, 1, 20));
  settings.download.retry = settings.client.retry;
  settings.client.job_timeout =
      std::chrono::minutes(section.integer("job_timeout_minutes", 120, 1, 24 * 60));
  settings.metadata_ttl =
      std::chrono::minutes(section.integer("metadata_ttl_minutes", 60, 0, 7 * 24 * 60));
  settings.chunked_load_min_bytes =
      section.integer("chunked_load_min_mb", 2048, 0, int64_t{1} << 30) * 1024 * 1024;
  settings.download.object_store_endpoint = section.string("object_store_endpoint");
  return settings;
}

}  // namespace da::connectors::keboola
