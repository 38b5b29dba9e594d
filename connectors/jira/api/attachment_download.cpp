#include "jira/api/attachment_download.hpp"

#include <cerrno>
#include <optional>
#include <system_error>
#include <vector>

#include <sys/stat.h>

#include "da/common/atomic_file.hpp"
#include "da/common/error.hpp"

namespace da::connectors::jira {

namespace fs = std::filesystem;

namespace {

constexpr mode_t kFileMode = 0660;
constexpr mode_t kFolderMode = 0770;

// Thrown by the sink past the cap; not a da::Error, so no retry repeats the download.
struct CapExceeded {};

void make_parents(const fs::path& target) {
  std::vector<fs::path> missing;
  for (fs::path folder = target.parent_path(); !folder.empty() && !fs::exists(folder);
       folder = folder.parent_path())
    missing.push_back(folder);
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (::mkdir(it->c_str(), kFolderMode) != 0 && errno != EEXIST)
      throw_system_error("cannot create the attachment folder", it->string(), errno);
    if (::chmod(it->c_str(), kFolderMode) != 0)
      throw_system_error("cannot set the mode of the attachment folder", it->string(), errno);
  }
}

std::optional<int64_t> regular_file_size(const fs::path& path) {
  std::error_code error;
  fs::file_status status = fs::symlink_status(path, error);
  if (error || !fs::is_regular_file(status)) return std::nullopt;
  auto size = fs::file_size(path, error);
  if (error) return std::nullopt;
  return static_cast<int64_t>(size);
}

}  // namespace

AttachmentResult download_attachment(const JiraClient& client, const AttachmentFile& file,
                                     int64_t max_bytes) {
  if (file.declared_size > max_bytes) return {AttachmentOutcome::kTooLarge, 0};
  if (file.declared_size >= 0 && regular_file_size(file.target) == file.declared_size)
    return {AttachmentOutcome::kUnchanged, file.declared_size};
  make_parents(file.target);
  std::optional<AtomicFileWriter> writer;
  int64_t written = 0;
  auto restart = [&] {
    writer.reset();
    writer.emplace(file.target, kFileMode);
    written = 0;
  };
  auto sink = [&](std::string_view data) {
    written += static_cast<int64_t>(data.size());
    if (written > max_bytes) throw CapExceeded{};
    writer->write(data);
  };
  try {
    client.download(file.content_url, restart, sink);
  } catch (const CapExceeded&) {
    return {AttachmentOutcome::kTooLarge, 0};
  }
  writer->commit();
  return {AttachmentOutcome::kDownloaded, written};
}

}  // namespace da::connectors::jira
