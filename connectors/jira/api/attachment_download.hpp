// One Jira attachment's content to a file. Jira answers the content URL with a redirect to its
// media host, which is followed without the Basic credentials (JiraClient::download). The file
// appears atomically (temp file next to it, mode 0660, rename), so readers never see a part
// of it; missing parent folders are made with mode 0770. Nothing is fetched when the declared
// size is over the cap or the target already has the declared size; a body that runs past the
// cap is abandoned and leaves no file behind.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "jira/api/jira_client.hpp"

namespace da::connectors::jira {

struct AttachmentFile {
  std::string content_url;       // the attachment's "content"
  int64_t declared_size = -1;    // its "size"; -1 when unknown
  std::filesystem::path target;  // where the file goes (the caller's naming rules)
};

enum class AttachmentOutcome {
  kDownloaded,  // the target was written
  kUnchanged,   // the target already had the declared size
  kTooLarge,    // declared or streamed past the cap; the target was left as it was
};

struct AttachmentResult {
  AttachmentOutcome outcome = AttachmentOutcome::kDownloaded;
  int64_t bytes = 0;  // written (kDownloaded) or found (kUnchanged)
};

// Throws what JiraClient::download() throws (Error(kNotFound) for a deleted attachment,
// Error(kSource) when Jira keeps failing) and Error(kInternal) when the disk refuses.
AttachmentResult download_attachment(const JiraClient& client, const AttachmentFile& file,
                                     int64_t max_bytes);

}  // namespace da::connectors::jira
