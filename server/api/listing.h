#pragma once
// GET /v1/builds and GET /v1/batches: filters and page size from the query, and the cursor that
// continues a listing. A cursor is the key of the last item served (keyset pagination, so builds
// submitted meanwhile never shift a page) and the filters it was served under, sealed with the
// server's key: a cursor that was altered, or is given with other filters, is refused (400).
#include <string>

#include "server/api/query_params.h"
#include "server/store/build_store.h"
#include "server/store/secret_box.h"

namespace kiln::server {

inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 200;
inline constexpr std::size_t kMaxLabelFilters = 16;

struct BuildListing {
  BuildFilter filter;
  BuildPageStart start;
  int limit = kDefaultPageSize;
};

struct BatchListing {
  BatchFilter filter;
  BatchPageStart start;
  int limit = kDefaultPageSize;
};

/// ApiError(400) naming the query parameter at fault (state, batch_id, label, limit, cursor).
BuildListing parse_build_listing(const QueryParams& query, const SecretBox& key);
BatchListing parse_batch_listing(const QueryParams& query, const SecretBox& key);

/// The cursor of the page after the one that ended with `last`.
std::string next_build_cursor(const BuildFilter& filter, const BuildRecord& last, const SecretBox& key);
std::string next_batch_cursor(const BatchFilter& filter, const BatchRecord& last, const SecretBox& key);

}  // namespace kiln::server
