#pragma once
// What every request handler reaches: the configuration and the server's long-lived parts.
// Owned by main(); handlers hold a reference for the life of the HTTP server.
#include <filesystem>

#include "server/auth/rate_limiter.h"
#include "server/auth/token_auth.h"
#include "server/config/server_config.h"
#include "server/logs/log_streams.h"
#include "server/metrics/metrics.h"
#include "server/policy/context_location.h"
#include "server/queue/build_queue.h"
#include "server/store/build_store.h"
#include "server/webhooks/webhook_service.h"

namespace kiln::server {

struct ApiContext {
  const ServerConfig& config;
  BuildStore& store;
  BuildQueue& queue;
  Metrics& metrics;
  const TokenAuth& auth;
  RateLimiter& limiter;
  ContextLocations contexts;  ///< uploads (<data_dir>/contexts) and context_roots
  LogStreams& log_streams;    ///< the open GET /v1/builds/{id}/log streams
  WebhookService& webhooks;   ///< the builds' and batches' webhooks
};

}  // namespace kiln::server
