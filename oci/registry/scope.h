#pragma once
// Token scopes (Docker token spec): "repository:<name>:<actions>", one per resource.
#include <string>
#include <vector>

namespace kiln::oci::scope {

std::string pull(const std::string& repository);
/// "push,pull": a push needs to read too (HEAD before upload, mount sources).
std::string push(const std::string& repository);

/// The scopes a token must carry after a 401 asked for `requested`: what the registry
/// asked for first (some registries read only the first scope), then the ones we had.
std::vector<std::string> merge(const std::vector<std::string>& current, const std::vector<std::string>& requested);
/// Order-independent identity of a scope set: the token cache key.
std::string cache_key(const std::vector<std::string>& scopes);

}  // namespace kiln::oci::scope
