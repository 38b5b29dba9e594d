// Each analyst's ~/.sync_rsync_filter: what `da pull --via ssh` transfers, from the same
// rules as the HTTPS manifest (da/distribution/selection.hpp): the analyst's dataset opt-ins
// and table subscriptions from the portal (matched by server user name), and private tables
// only for members of data-private, the group that may read them on this server.
//
// Written when an account is created, and again whenever a selection or the table registry
// changes (by the portal through the account helper, or `da admin sync-filters`).
#pragma once

#include <string>

#include "da/config/instance_config.hpp"

namespace da::accounts {

class AnalystAccounts;

// Writes the filter of `only_user`, or of every analyst when it is empty. Returns how many
// were written. Error(kNotFound) when `only_user` is not an analyst account.
int write_sync_filters(const config::InstanceConfig& config, AnalystAccounts& accounts,
                       const std::string& only_user = "");

// After a change to the table registry: rewrites every analyst's filter, directly when this
// process is root, else through the account helper when accounts.helper_socket is set. A
// failure is recorded in PendingFilterRefreshes (for the admins and the portal's retries) and
// thrown as an Error that says the change itself is saved and what to run.
void refresh_sync_filters(const config::InstanceConfig& config);

}  // namespace da::accounts
