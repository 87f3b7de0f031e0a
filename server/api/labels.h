#pragma once
// Labels a client puts on its builds and batches to find them again (GET /v1/builds?label=k=v).
// They come from a remote client and are stored with every build, so each is bounded.
#include <string>
#include <utility>

#include "oci/json.h"
#include "server/store/build_record.h"

namespace kiln::server {

inline constexpr std::size_t kMaxLabels = 32;           ///< per build, its batch's included
inline constexpr std::size_t kMaxLabelKeyBytes = 63;    ///< [A-Za-z0-9][A-Za-z0-9._/-]*
inline constexpr std::size_t kMaxLabelValueBytes = 256; ///< any text without control characters

/// A "labels" object of strings; ApiError(400) naming `where` and the label at fault. null: none.
Labels parse_labels(const oci::Json& value, const std::string& where);
/// `inner` over `outer` (a build's own over its batch's), within kMaxLabels.
Labels merge_labels(const Labels& outer, const Labels& inner, const std::string& where);
/// A label query parameter "key=value"; ApiError(400) naming the parameter otherwise.
std::pair<std::string, std::string> parse_label_filter(const std::string& text);

}  // namespace kiln::server
