#include "server/api/query_params.h"

#include <Poco/Exception.h>
#include <Poco/URI.h>
#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "server/api/http_util.h"

namespace kiln::server {
namespace {

std::string decoded(std::string_view text, std::string_view what) {
  std::string out;
  try {
    Poco::URI::decode(std::string(text), out, /*plusAsSpace=*/true);
  } catch (const Poco::Exception&) {
    throw ApiError(400, fmt::format("query parameter {}: bad percent-encoding", what));
  }
  return out;
}

std::string known_names(const std::vector<QueryParamSpec>& allowed) {
  if (allowed.empty()) return "this endpoint takes no query parameters";
  std::string names;
  for (const auto& spec : allowed) names += (names.empty() ? "" : ", ") + std::string(spec.name);
  return "this endpoint takes " + names;
}

}  // namespace

QueryParams QueryParams::parse(std::string_view uri, const std::vector<QueryParamSpec>& allowed) {
  QueryParams params;
  const auto mark = uri.find('?');
  if (mark == std::string_view::npos) return params;
  std::string_view query = uri.substr(mark + 1);
  query = query.substr(0, query.find('#'));
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view item = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (item.empty()) continue;  // "a=1&&b=2"
    const auto eq = item.find('=');
    const std::string name = decoded(item.substr(0, eq), "name");
    const std::string value = eq == std::string_view::npos ? "" : decoded(item.substr(eq + 1), name);
    const auto spec = std::find_if(allowed.begin(), allowed.end(), [&](const QueryParamSpec& s) { return s.name == name; });
    if (spec == allowed.end())
      throw ApiError(400, fmt::format("unknown query parameter '{}' ({})", name, known_names(allowed)));
    if (!spec->repeatable && params.get(name))
      throw ApiError(400, fmt::format("query parameter {}: given more than once", name));
    params.values_.emplace_back(name, value);
  }
  return params;
}

std::optional<std::string> QueryParams::get(std::string_view name) const {
  for (const auto& [k, v] : values_)
    if (k == name) return v;
  return std::nullopt;
}

std::vector<std::string> QueryParams::all(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : values_)
    if (k == name) out.push_back(v);
  return out;
}

long long query_integer(std::string_view name, const std::string& value, long long min, long long max) {
  long long n = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (error != std::errc() || end != value.data() + value.size() || value.empty() || n < min || n > max)
    throw ApiError(400, fmt::format("query parameter {}: expected a whole number from {} to {}, got '{}'", name, min, max, value));
  return n;
}

}  // namespace kiln::server
