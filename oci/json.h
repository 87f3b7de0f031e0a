#pragma once
// The one JSON library of the project. ordered_json keeps the key order of documents we read,
// so a base image's config or manifest is edited without reshuffling fields we do not model.
#include <nlohmann/json.hpp>

namespace kiln::oci {
using Json = nlohmann::ordered_json;

/// Parses text, throwing kiln::Error(infra) that names `what` (e.g. "manifest of docker.io/x").
Json parse_json(std::string_view text, std::string_view what);
/// The canonical bytes we hash and send: compact, UTF-8, no trailing newline.
std::string dump_json(const Json& doc);
}  // namespace kiln::oci
