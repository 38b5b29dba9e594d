#include "sync_run.hpp"

#include "da/common/error.hpp"

namespace da::sync::table_sync {

void SyncRun::fail(const std::string& message) const {
  throw Error(ErrorKind::kData, table().id + ": " + message);
}

}  // namespace da::sync::table_sync
