#include "jira/webhook/webhook_feature.hpp"

#include <string>

#include "jira/check/consistency_runs.hpp"
#include "jira/jira_settings.hpp"
#include "jira/webhook/event_queue.hpp"
#include "jira/webhook/queue_report.hpp"
#include "jira/webhook/signature.hpp"
#include "jira/webhook/webhook_event.hpp"

#include "da/common/log.hpp"
#include "da/common/time.hpp"
#include "da/web/portal_host.hpp"

namespace da::connectors::jira {

namespace {

using web::Access;
using web::PortalHost;
using web::Request;
using web::Response;
using web::Visitor;

Response receive(PortalHost& portal, const JiraSettings& settings, const Request& request) {
  std::string_view signature = request.header("x-hub-signature-256");
  if (signature.empty()) signature = request.header("x-hub-signature");
  if (signature.empty()) {
    log::warn("jira webhook from {}: no signature header", request.client_ip());
    return Response::json_error(401,
                                "missing signature: send X-Hub-Signature-256 (set the "
                                "webhook's secret in Jira)");
  }
  if (!signature_matches(settings.webhook_secret, request.body, signature)) {
    log::warn("jira webhook from {}: the signature does not match", request.client_ip());
    return Response::json_error(401, "invalid signature");
  }
  if (static_cast<int64_t>(request.body.size()) > settings.webhook_max_body_bytes)
    return Response::json_error(413, "the body has " + std::to_string(request.body.size()) +
                                         " bytes; jira.webhook.max_body_kb allows " +
                                         std::to_string(settings.webhook_max_body_bytes / 1024) +
                                         " KiB");
  ParsedEvent parsed = parse_webhook_event(request.body);
  if (!parsed.event) return Response::json_error(400, parsed.problem);
  int64_t id = EventQueue(portal.db()).enqueue(*parsed.event);
  log::info("jira webhook: queued event {} ({} {}, {})", id, parsed.event->event,
            parsed.event->issue_key, to_string(parsed.event->action));
  return Response::json(202, {{"status", "queued"},
                              {"id", id},
                              {"event", parsed.event->event},
                              {"issue", parsed.event->issue_key}});
}

Response health(PortalHost& portal, const JiraSettings& settings) {
  nlohmann::json body = queue_health_json(EventQueue(portal.db()).health(), now_micros());
  body["configured"] = settings.configured;
  body["webhook_secret_set"] = !settings.webhook_secret.empty();
  body["base_url"] = settings.account.base_url;
  std::optional<nlohmann::json> check = ConsistencyRuns(portal.db()).latest();
  body["consistency_check"] = check ? *check : nlohmann::json();
  return Response::json(200, body);
}

class WebhookFeature : public web::PortalFeature {
 public:
  void add_routes(PortalHost& portal) override {
    settings_ = JiraSettings::from(portal.config());
    if (!settings_.configured) return;
    portal.route("POST", "/webhooks/jira", Access::kPublic,
                 [this, &portal](Request& request, Visitor&) {
                   return receive(portal, settings_, request);
                 });
    portal.route("GET", "/webhooks/jira/health", Access::kAdmin,
                 [this, &portal](Request&, Visitor&) { return health(portal, settings_); });
  }

 private:
  JiraSettings settings_;
};

}  // namespace

std::unique_ptr<web::PortalFeature> make_webhook_feature() {
  return std::make_unique<WebhookFeature>();
}

}  // namespace da::connectors::jira
