#include "da/sync/publisher.hpp"

#include <nlohmann/json.hpp>
#include <sys/stat.h>

#include "da/common/atomic_file.hpp"
#include "da/common/error.hpp"
#include "da/common/log.hpp"
#include "da/published/table_location.hpp"
#include "da/sync/publication_lock.hpp"

namespace da::sync {

namespace fs = std::filesystem;

namespace {

void ensure_folder(const fs::path& folder) {
  if (fs::is_directory(folder)) return;
  std::error_code error;
  fs::create_directories(folder, error);
  if (error) throw_system_error("cannot create folder", folder.string(), error.value());
  ::chmod(folder.c_str(), 0755);
}

// Idempotent: a move whose source is gone was done before a crash.
void apply(const Publication& publication) {
  for (const auto& [from, to] : publication.moves) {
    if (!fs::exists(from)) continue;
    ensure_folder(to.parent_path());
    rename_durably(from, to);
  }
  for (const fs::path& removal : publication.removals) {
    std::error_code error;
    fs::remove_all(removal, error);
    if (error) log::warn("cannot remove {}: {}", removal.string(), error.message());
  }
  if (!publication.removals.empty()) fsync_path(publication.removals.front().parent_path());
}

std::string journal_json(const Publication& publication) {
  nlohmann::json moves = nlohmann::json::array();
  for (const auto& [from, to] : publication.moves)
    moves.push_back({from.string(), to.string()});
  nlohmann::json removals = nlohmann::json::array();
  for (const fs::path& removal : publication.removals)
    removals.push_back(removal.string());
  return nlohmann::json{{"moves", moves}, {"removals", removals}}.dump();
}

Publication parse_journal(const fs::path& journal) {
  Publication publication;
  auto document = nlohmann::json::parse(read_file(journal));
  for (const auto& move : document.at("moves")) {
    publication.moves.emplace_back(move.at(0).get<std::string>(), move.at(1).get<std::string>());
  }
  for (const auto& removal : document.at("removals"))
    publication.removals.emplace_back(removal.get<std::string>());
  return publication;
}

}  // namespace

void publish(const Publication& publication, const fs::path& journal) {
  ensure_folder(journal.parent_path());
  PublicationLock lock = PublicationLock::shared(journal.parent_path().parent_path());
  write_file_atomically(journal, journal_json(publication), 0644);
  apply(publication);
  fs::remove(journal);
  fsync_path(journal.parent_path());
}

int complete_interrupted_publications(const fs::path& parquet_root) {
  if (!fs::is_directory(parquet_root)) return 0;
  PublicationLock lock = PublicationLock::shared(parquet_root);
  int completed = 0;
  for (const auto& folder : fs::directory_iterator(parquet_root)) {
    if (!folder.is_directory() || folder.is_symlink()) continue;
    for (const auto& entry : fs::directory_iterator(folder.path())) {
      std::string name = entry.path().filename().string();
      if (name.rfind(published::kJournalPrefix, 0) != 0 || entry.path().extension() != ".json")
        continue;
      try {
        apply(parse_journal(entry.path()));
      } catch (const nlohmann::json::exception&) {
        // A journal cut short by a crash was written before any move, so nothing was moved.
        log::warn("discarding incomplete publish journal {}", entry.path().string());
      }
      fs::remove(entry.path());
      ++completed;
    }
  }
  return completed;
}

}  // namespace da::sync
