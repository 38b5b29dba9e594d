#include "jira/sync/issue_sync.hpp"

#include "jira/api/attachment_download.hpp"
#include "jira/api/issue_fetcher.hpp"
#include "jira/api/jira_client.hpp"
#include "jira/tables/attachment_paths.hpp"

#include "da/common/error.hpp"
#include "da/common/log.hpp"
#include "da/common/time.hpp"

namespace da::connectors::jira {

namespace {

using Json = nlohmann::json;

// `key` of `object` when it is a string, else "".
std::string text_of(const Json& object, const char* key) {
  auto found = object.find(key);
  return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

ClientOptions client_options(const JiraSettings& settings, const JiraSettings::Account& account,
                             std::string credentials_hint) {
  ClientOptions options;
  options.account = {account.base_url, account.email, account.api_token};
  options.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(settings.request_timeout);
  options.retry.max_attempts = settings.retries + 1;
  options.credentials_hint = std::move(credentials_hint);
  return options;
}

}  // namespace

std::string document_key(const Json& document, const std::string& asked) {
  std::string key = text_of(document, "key");
  return key.empty() ? asked : key;
}

struct IssueSync::Parts {
  Parts(const JiraSettings& settings, std::filesystem::path data_dir)
      : settings(settings),
        data_dir(std::move(data_dir)),
        client(client_options(settings, settings.account, "jira.email and JIRA_API_TOKEN")),
        sla(settings.sla
                ? std::optional<JiraClient>(std::in_place, client_options(settings, *settings.sla,
                                                                          "jira.sla.email and "
                                                                          "JIRA_SLA_API_TOKEN"))
                : std::nullopt),
        fetcher(client, sla ? &*sla : nullptr,
                {settings.custom_fields.first_response, settings.custom_fields.time_to_resolution}),
        store(this->data_dir),
        writer(this->data_dir, settings.folder) {}

  JiraSettings settings;
  std::filesystem::path data_dir;
  JiraClient client;
  std::optional<JiraClient> sla;
  IssueFetcher fetcher;
  IssueStore store;
  MonthWriter writer;

  std::filesystem::path attachments_root() const {
    return data_dir / "raw" / "jira" / "attachments";
  }

  void download_attachments(const std::string& key, const Json& document) const {
    const Json* attachments = nullptr;
    if (auto fields = document.find("fields"); fields != document.end() && fields->is_object())
      if (auto found = fields->find("attachment"); found != fields->end() && found->is_array())
        attachments = &*found;
    if (attachments == nullptr) return;
    for (const Json& attachment : *attachments) {
      if (!attachment.is_object()) continue;
      std::string id = text_of(attachment, "id");
      try {
        AttachmentFile file;
        file.content_url = text_of(attachment, "content");
        if (file.content_url.empty()) continue;
        if (auto size = attachment.find("size");
            size != attachment.end() && size->is_number_integer())
          file.declared_size = size->get<int64_t>();
        file.target =
            attachments_root() / hierarchical_path(key, id, text_of(attachment, "filename"));
        download_attachment(client, file, settings.attachment_max_bytes);
      } catch (const Error& e) {
        log::warn("jira: {}: attachment {} not downloaded: {}", key, id, e.what());
      }
    }
  }
};

IssueSync::IssueSync(const JiraSettings& settings, std::filesystem::path data_dir)
    : parts_(std::make_unique<Parts>(settings, std::move(data_dir))) {}

IssueSync::~IssueSync() = default;

std::optional<Json> IssueSync::fetch(const std::string& key) const {
  std::optional<Json> document = parts_->fetcher.fetch(key);
  if (document) parts_->download_attachments(document_key(*document, key), *document);
  return document;
}

StagedIssue IssueSync::stage(const std::string& asked, const Json& document) const {
  StagedIssue staged{document_key(document, asked), issue_rows(document, row_context()),
                     std::nullopt};
  if (staged.key != asked) staged.moved_from = asked;
  return staged;
}

void IssueSync::keep(const StagedIssue& staged, const Json& document) {
  if (staged.moved_from) parts_->store.mark_deleted(*staged.moved_from, now_utc());
  parts_->store.put(staged.key, document);
}

const JiraClient& IssueSync::client() const {
  return parts_->client;
}

const JiraClient& IssueSync::sla_client() const {
  return parts_->sla ? *parts_->sla : parts_->client;
}

IssueStore& IssueSync::store() {
  return parts_->store;
}

MonthWriter& IssueSync::writer() {
  return parts_->writer;
}

const JiraSettings& IssueSync::settings() const {
  return parts_->settings;
}

RowContext IssueSync::row_context() const {
  return {parts_->settings.account.base_url, parts_->settings.custom_fields,
          parts_->attachments_root()};
}

}  // namespace da::connectors::jira
