#include "server/webhooks/webhook_field.h"

#include <fmt/format.h>

#include "core/error.h"
#include "server/api/http_util.h"
#include "server/webhooks/webhook_target.h"

namespace kiln::server {

std::optional<std::string> take_webhook(oci::Json& body, const WebhookSettings& settings) {
  if (!body.is_object() || !body.contains("webhook")) return std::nullopt;
  const oci::Json hook = body["webhook"];
  body.erase("webhook");
  if (hook.is_null()) return std::nullopt;
  if (!hook.is_object()) throw ApiError(400, "webhook: expected an object, {\"url\": \"https://…\"}");
  for (const auto& [key, value] : hook.items())
    if (key != "url") throw ApiError(400, fmt::format("webhook: unknown field '{}'", key));
  if (!hook.contains("url") || !hook["url"].is_string()) throw ApiError(400, "webhook.url: expected a string, an https:// URL");
  const std::string url = hook["url"];
  try {
    check_webhook_url(url, settings);
  } catch (const kiln::Error& e) {
    throw ApiError(400, fmt::format("webhook.url: {}", e.what()));
  }
  return url;
}

}  // namespace kiln::server
