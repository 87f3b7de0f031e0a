#include "oci/json.h"

#include <fmt/format.h>

#include "core/error.h"

namespace kiln::oci {

Json parse_json(std::string_view text, std::string_view what) {
  try {
    return Json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw_infra(fmt::format("{} is not valid JSON: {}", what, e.what()));
  }
}

std::string dump_json(const Json& doc) { return doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict); }

}  // namespace kiln::oci
