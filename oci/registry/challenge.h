#pragma once
// WWW-Authenticate challenges (RFC 7235) as registries send them: `Basic realm="..."` or
// `Bearer realm="...",service="...",scope="a b",error="insufficient_scope"`.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kiln::oci {

struct Challenge {
  std::string scheme;                         ///< lower case: "basic", "bearer"
  std::map<std::string, std::string> params;  ///< lower-case names, unquoted values

  std::string param(const std::string& name) const;
  /// The space-separated `scope` parameter split into scopes.
  std::vector<std::string> scopes() const;
  friend bool operator==(const Challenge&, const Challenge&) = default;
};

/// Every challenge in a header value (several may share one header, separated by commas).
std::vector<Challenge> parse_challenges(std::string_view header);
/// The first Basic or Bearer challenge, as ggcr's ping does; nullopt when there is none.
std::optional<Challenge> pick_challenge(std::string_view header);

}  // namespace kiln::oci
