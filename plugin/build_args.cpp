#include "plugin/build_args.h"

#include <fmt/format.h>

#include "core/error.h"

namespace kiln::plugin {
namespace {

void append_pairs(const Settings& settings, const std::string& setting, std::string_view separators,
                  std::vector<BuildArg>& out) {
  for (const std::string& item : settings.get_list(setting, separators)) {
    const auto eq = item.find('=');
    // The name alone is safe to quote; the value may be a secret.
    if (eq == std::string::npos || eq == 0)
      throw_usage(fmt::format("setting {}: '{}' is not NAME=value", setting, item.substr(0, eq)));
    out.push_back(BuildArg{.name = item.substr(0, eq), .value = item.substr(eq + 1), .from_env = false});
  }
}

}  // namespace

std::vector<BuildArg> build_args(const Settings& settings, const Env& env, std::vector<std::string>* warnings) {
  std::vector<BuildArg> out;
  const bool multiple = settings.get_bool("multiple_build_args");
  if (multiple && settings.has("build_args")) {
    if (warnings) warnings->push_back("setting build_args is ignored because multiple_build_args is true: use build_args_new");
  } else {
    append_pairs(settings, "build_args", ",\n", out);
  }
  append_pairs(settings, "build_args_new", ";\n", out);
  for (const std::string& name : settings.get_list("build_args_from_env", ",\n")) {
    auto value = env.get(name);
    if (!value) throw_usage(fmt::format("setting build_args_from_env: variable {} is not set", name));
    out.push_back(BuildArg{.name = name, .value = *value, .from_env = true});
  }
  return out;
}

}  // namespace kiln::plugin
