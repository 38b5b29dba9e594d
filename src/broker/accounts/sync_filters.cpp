#include "da/accounts/sync_filters.hpp"

#include <nlohmann/json.hpp>
#include <unistd.h>

#include "da/accounts/analyst_accounts.hpp"
#include "da/accounts/helper_client.hpp"
#include "da/accounts/pending_filter_refreshes.hpp"
#include "da/accounts/system_users.hpp"
#include "da/catalog/data_description.hpp"
#include "da/common/error.hpp"
#include "da/common/log.hpp"
#include "da/distribution/selection_store.hpp"
#include "da/identity/user_store.hpp"
#include "da/store/state_store.hpp"

namespace da::accounts {

int write_sync_filters(const config::InstanceConfig& config, AnalystAccounts& accounts,
                       const std::string& only_user) {
  std::vector<AnalystAccount> targets;
  if (!only_user.empty()) {
    auto account = find_analyst(only_user);
    if (!account)
      throw Error(ErrorKind::kNotFound, "there is no analyst account '" + only_user + "'");
    targets.push_back(*account);
  } else {
    targets = accounts.list();
  }
  catalog::DataDescription catalog = catalog::load_data_description_or_throw(config.paths.docs_dir);
  store::StateStore store(config.paths.state_db);
  identity::UserStore users(store.database());
  for (const AnalystAccount& account : targets) {
    distribution::Selection selection;
    if (auto user = users.find_by_username(account.username))
      selection = distribution::SelectionStore(store.database()).load(user->id).selection;
    accounts.write_sync_filter(account.username,
                               distribution::server_rsync_filter(distribution::visible_tables(
                                   catalog, selection, account.privileged)));
  }
  return static_cast<int>(targets.size());
}

void refresh_sync_filters(const config::InstanceConfig& config) {
  bool as_root = ::geteuid() == 0;
  if (!as_root && config.accounts.helper_socket.empty()) return;  // no analyst accounts here
  if (as_root && !find_group(kReadGroup)) return;
  store::StateStore store(config.paths.state_db);
  try {
    PendingFilterRefreshes(store.database()).run("", [&](const std::string&) {
      if (as_root) {
        AnalystAccounts accounts(account_settings(config));
        write_sync_filters(config, accounts);
      } else {
        HelperClient(config.accounts.helper_socket)
            .call({{"op", "sync_filters"}, {"username", ""}});
      }
    });
  } catch (const Error& e) {
    throw Error(e.kind(), std::string("the change is saved, but the analysts' rsync filters were "
                                      "not refreshed (") +
                              e.what() +
                              "): until they are, SSH pulls follow the old table list. The "
                              "portal retries; or run `da admin sync-filters` as root");
  }
}

}  // namespace da::accounts
