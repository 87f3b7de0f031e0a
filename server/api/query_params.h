#pragma once
// The query string of a request, parsed strictly against what its route takes: a parameter the
// route does not know, or one given twice that may be given once, is refused (400) instead of
// being ignored, so a client's typo never silently widens a listing.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kiln::server {

struct QueryParamSpec {
  std::string_view name;
  bool repeatable = false;  ///< label=a=1&label=b=2
};

class QueryParams {
 public:
  QueryParams() = default;
  /// The query of `uri` (form-encoded: %XX and '+' for a space). Throws ApiError(400) naming the
  /// parameter that is unknown to `allowed`, repeated without being repeatable, or badly encoded.
  static QueryParams parse(std::string_view uri, const std::vector<QueryParamSpec>& allowed);

  /// The value of a parameter given once; nullopt when absent.
  std::optional<std::string> get(std::string_view name) const;
  /// Every value of a repeatable parameter, in the order given.
  std::vector<std::string> all(std::string_view name) const;

 private:
  std::vector<std::pair<std::string, std::string>> values_;
};

/// `value` of query parameter `name` as an integer in [min, max]; ApiError(400) naming it otherwise.
long long query_integer(std::string_view name, const std::string& value, long long min, long long max);

}  // namespace kiln::server
