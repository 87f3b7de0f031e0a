#include "server/api/matrix_build.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <vector>

#include "core/settings.h"
#include "plugin/settings.h"
#include "server/api/http_util.h"

namespace kiln::server {
namespace {

using oci::Json;

// The value of setting `name` (or an alias of it) in the service's settings, else the batch's.
Json setting(const Json& service_settings, const Json& common_settings, const std::string& name) {
  const SettingSpec* spec = nullptr;
  for (const auto& s : plugin::setting_specs())
    if (s.name == name) spec = &s;
  for (const Json* settings : {&service_settings, &common_settings}) {
    if (!settings->is_object()) continue;
    for (const auto& [key, value] : settings->items()) {
      bool same = key == name;
      for (const auto& alias : spec->aliases) same |= key == alias;
      if (same && !value.is_null()) return value;
    }
  }
  return nullptr;
}

std::vector<std::string> list_items(const Json& value) {
  std::vector<std::string> out;
  if (value.is_array()) {
    for (const auto& item : value)
      if (item.is_string()) out.push_back(item.get<std::string>());
    return out;
  }
  if (!value.is_string()) return out;
  std::string item;
  for (char c : value.get<std::string>() + ",") {
    if (c == ',' || c == '\n' || c == ';') {
      if (!item.empty()) out.push_back(item);
      item.clear();
    } else {
      item += c;
    }
  }
  return out;
}

}  // namespace

Json matrix_build(const Json& service, const Json& common_settings, const Json& platforms, const Json& tags,
                  const std::string& where) {
  Json one = service;
  one.erase("name");
  if (!one.contains("settings") || one["settings"].is_null()) one["settings"] = Json::object();
  Json& settings = one["settings"];
  if (!settings.is_object()) return one;  // parse_one names the fault

  if (!tags.empty()) settings["tags"] = tags;
  if (platforms.empty()) return one;

  std::vector<std::pair<std::string, std::string>> wanted;  // platform, binary ("" from the setting)
  for (std::size_t i = 0; i < platforms.size(); ++i) {
    const Json& p = platforms[i];
    if (p.is_string()) {
      wanted.emplace_back(p.get<std::string>(), "");
    } else if (p.is_object() && p.contains("platform") && p["platform"].is_string() && p.contains("binary") &&
               p["binary"].is_string() && p.size() == 2) {
      wanted.emplace_back(p["platform"].get<std::string>(), p["binary"].get<std::string>());
    } else {
      throw ApiError(400, fmt::format("matrix.platforms[{}]: expected \"os/arch\" or {{\"platform\": \"os/arch\", "
                                      "\"binary\": \"path in the context\"}}",
                                      i));
    }
  }
  std::string who = where;  // "matrix.services[0]."
  if (!who.empty()) who.pop_back();
  const std::string axis = fmt::format("matrix.platforms (for {})", who);
  const Json binary = setting(settings, common_settings, "binary");
  const bool dockerfile = !setting(settings, common_settings, "dockerfile").is_null();
  if (wanted.size() == 1 && wanted.front().second.empty()) {
    settings["platform"] = wanted.front().first;  // one platform: the build's own
    return one;
  }
  if (binary.is_null() && !std::any_of(wanted.begin(), wanted.end(), [](const auto& w) { return !w.second.empty(); }))
    throw ApiError(400, fmt::format("{}: one image for several platforms is a binary-on-base build with a "
                                    "binary per platform (kiln-plugin builds a Dockerfile for one platform per run); "
                                    "give settings.binary as linux/amd64=out/amd64/main,linux/arm64=out/arm64/main or "
                                    "each platform as {{\"platform\": …, \"binary\": …}}",
                                    axis));
  if (dockerfile)
    throw ApiError(400, fmt::format("{}: settings.dockerfile is set, and kiln-plugin builds a Dockerfile "
                                    "for one platform per run; one image for several platforms is a binary-on-base build",
                                    axis));
  // The setting's own per-platform binaries, for platforms given as plain strings.
  std::map<std::string, std::string> by_platform;
  for (const std::string& item : list_items(binary))
    if (const auto eq = item.find('='); eq != std::string::npos) by_platform[item.substr(0, eq)] = item.substr(eq + 1);
  Json entries = Json::array();
  for (const auto& [platform, path] : wanted) {
    std::string file = path;
    if (file.empty()) {
      const auto it = by_platform.find(platform);
      if (it == by_platform.end())
        throw ApiError(400, fmt::format("{}: no binary for {}: settings.binary must name one per platform "
                                        "(linux/amd64=out/amd64/main,linux/arm64=out/arm64/main), or give the platform as "
                                        "{{\"platform\": \"{}\", \"binary\": …}}",
                                        axis, platform, platform));
      file = it->second;
    }
    entries.push_back(platform + "=" + file);
  }
  settings["binary"] = entries;
  settings.erase("platform");
  return one;
}

}  // namespace kiln::server
