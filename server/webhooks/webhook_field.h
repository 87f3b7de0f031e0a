#pragma once
// The optional "webhook": {"url": "https://…"} of a build or batch submission.
#include <optional>
#include <string>

#include "oci/json.h"
#include "server/webhooks/webhook_settings.h"

namespace kiln::server {

/// Removes "webhook" from `body` and returns its checked URL (nullopt when absent or null).
/// Throws ApiError(400) naming webhook or webhook.url and what is wrong.
std::optional<std::string> take_webhook(oci::Json& body, const WebhookSettings& settings);

}  // namespace kiln::server
