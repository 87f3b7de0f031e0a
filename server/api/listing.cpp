#include "server/api/listing.h"

#include <fmt/format.h>

#include <algorithm>

#include "oci/json.h"
#include "server/api/http_util.h"
#include "server/api/labels.h"

namespace kiln::server {
namespace {

using oci::Json;

// Far longer than any cursor this server issues: a bound on what is decoded.
constexpr std::size_t kMaxCursorBytes = 1024;

// The filters a cursor belongs to, as one comparable value (the page size may change).
Json filter_json(const BuildFilter& f) {
  return Json{{"state", f.state ? to_string(*f.state) : ""}, {"batch_id", f.batch_id.value_or("")}, {"labels", f.labels}};
}
Json filter_json(const BatchFilter& f) {
  return Json{{"done", f.done ? (*f.done ? "true" : "false") : ""}, {"labels", f.labels}};
}

// URL-safe: '+' and '/' of base64 would need escaping in a query string.
std::string seal_cursor(const Json& payload, const SecretBox& key) {
  std::string text = key.seal(payload.dump());
  std::replace(text.begin(), text.end(), '+', '-');
  std::replace(text.begin(), text.end(), '/', '_');
  return text;
}

Json open_cursor(std::string text, const std::string& listing, const Json& filter, const SecretBox& key) {
  const std::string refused = "query parameter cursor: not a cursor this server issued (altered or truncated)";
  if (text.empty() || text.size() > kMaxCursorBytes) throw ApiError(400, refused);
  std::replace(text.begin(), text.end(), '-', '+');
  std::replace(text.begin(), text.end(), '_', '/');
  Json payload;
  try {
    payload = Json::parse(key.open(text));
  } catch (const std::exception&) {
    throw ApiError(400, refused);
  }
  if (payload.value("listing", "") != listing)
    throw ApiError(400, fmt::format("query parameter cursor: continues {}, not this listing", payload.value("listing", "?")));
  if (payload["filter"] != filter)
    throw ApiError(400, fmt::format("query parameter cursor: continues a listing with other filters ({}); give the same "
                                    "filters, or start again without a cursor",
                                    payload["filter"].dump()));
  return payload;
}

int page_size(const QueryParams& query) {
  const auto limit = query.get("limit");
  return limit ? static_cast<int>(query_integer("limit", *limit, 1, kMaxPageSize)) : kDefaultPageSize;
}

Labels label_filters(const QueryParams& query) {
  const auto items = query.all("label");
  if (items.size() > kMaxLabelFilters)
    throw ApiError(400, fmt::format("query parameter label: given {} times, at most {}", items.size(), kMaxLabelFilters));
  Labels labels;
  for (const auto& item : items) {
    auto [key, value] = parse_label_filter(item);
    if (labels.count(key)) throw ApiError(400, fmt::format("query parameter label: key '{}' given twice", key));
    labels.emplace(std::move(key), std::move(value));
  }
  return labels;
}

BuildState state_filter(const std::string& text) {
  for (BuildState s : {BuildState::queued, BuildState::running, BuildState::succeeded, BuildState::failed, BuildState::cancelled})
    if (to_string(s) == text) return s;
  throw ApiError(400, fmt::format("query parameter state: unknown state '{}' (one of queued, running, succeeded, failed, "
                                  "cancelled)",
                                  text.substr(0, 100)));
}

}  // namespace

BuildListing parse_build_listing(const QueryParams& query, const SecretBox& key) {
  BuildListing listing;
  if (const auto state = query.get("state")) listing.filter.state = state_filter(*state);
  if (const auto batch = query.get("batch_id")) {
    if (batch->empty()) throw ApiError(400, "query parameter batch_id: empty");
    listing.filter.batch_id = *batch;
  }
  listing.filter.labels = label_filters(query);
  listing.limit = page_size(query);
  if (const auto cursor = query.get("cursor")) {
    const Json payload = open_cursor(*cursor, "builds", filter_json(listing.filter), key);
    listing.start.before_seq = payload.value("seq", std::int64_t{0});
  }
  return listing;
}

BatchListing parse_batch_listing(const QueryParams& query, const SecretBox& key) {
  BatchListing listing;
  if (const auto done = query.get("done")) {
    if (*done != "true" && *done != "false")
      throw ApiError(400, fmt::format("query parameter done: expected true or false, got '{}'", done->substr(0, 100)));
    listing.filter.done = *done == "true";
  }
  listing.filter.labels = label_filters(query);
  listing.limit = page_size(query);
  if (const auto cursor = query.get("cursor")) {
    const Json payload = open_cursor(*cursor, "batches", filter_json(listing.filter), key);
    listing.start.before_created_ms = payload.value("created_ms", std::int64_t{0});
    listing.start.before_id = payload.value("id", "");
  }
  return listing;
}

std::string next_build_cursor(const BuildFilter& filter, const BuildRecord& last, const SecretBox& key) {
  return seal_cursor(Json{{"listing", "builds"}, {"filter", filter_json(filter)}, {"seq", last.seq}}, key);
}

std::string next_batch_cursor(const BatchFilter& filter, const BatchRecord& last, const SecretBox& key) {
  return seal_cursor(
      Json{{"listing", "batches"}, {"filter", filter_json(filter)}, {"created_ms", last.created_ms}, {"id", last.id}}, key);
}

}  // namespace kiln::server
