// The connector's portal routes, present only when the jira: section is (otherwise their paths
// answer 404):
//   POST /webhooks/jira         public: Jira signs the body (signature.hpp), no cookie, so no
//                               CSRF. Refuses a missing or wrong signature (401), a body over
//                               jira.webhook.max_body_kb (413), a body that is no JSON object
//                               or names no issue (400); stores the event in the queue and
//                               answers 202 {"status":"queued","id","event","issue"} at once:
//                               the worker fetches the issue, never the request.
//   GET /webhooks/jira/health   administrators: the connector's settings in brief and the
//                               queue (queue_report.hpp).
#pragma once

#include <memory>

#include "da/web/portal_feature.hpp"

namespace da::connectors::jira {

std::unique_ptr<web::PortalFeature> make_webhook_feature();

}  // namespace da::connectors::jira
