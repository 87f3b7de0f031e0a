#include "verify/check/image_env.h"

#include <cctype>

namespace kiln::verify {

void Environment::set(const std::string& key, const std::string& value) {
  for (auto& [existing, current] : vars_) {
    if (existing == key) {
      current = value;
      return;
    }
  }
  vars_.emplace_back(key, value);
}

std::string Environment::get(std::string_view key) const {
  for (const auto& [existing, value] : vars_) {
    if (existing == key) return value;
  }
  return "";
}

bool Environment::has(std::string_view key) const {
  for (const auto& [existing, value] : vars_) {
    if (existing == key) return true;
  }
  return false;
}

namespace {

const oci::Json* config_section(const oci::Json& image_config) {
  if (!image_config.is_object()) return nullptr;
  const auto it = image_config.find("config");
  return it != image_config.end() && it->is_object() ? &*it : nullptr;
}

bool is_shell_special(char c) {
  return c == '*' || c == '#' || c == '$' || c == '@' || c == '!' || c == '?' || c == '-' ||
         std::isdigit(static_cast<unsigned char>(c));
}

bool is_name_char(char c) { return c == '_' || std::isalnum(static_cast<unsigned char>(c)); }

}  // namespace

Environment image_environment(const oci::Json& image_config) {
  Environment env;
  const oci::Json* config = config_section(image_config);
  if (!config) return env;
  const auto it = config->find("Env");
  if (it == config->end() || !it->is_array()) return env;
  for (const oci::Json& entry : *it) {
    if (!entry.is_string()) continue;
    const std::string text = entry.get<std::string>();
    const auto equals = text.find('=');
    env.set(text.substr(0, equals), equals == std::string::npos ? "" : text.substr(equals + 1));
  }
  return env;
}

std::string image_workdir(const oci::Json& image_config) {
  const oci::Json* config = config_section(image_config);
  if (config) {
    const auto it = config->find("WorkingDir");
    if (it != config->end() && it->is_string() && !it->get<std::string>().empty()) return it->get<std::string>();
  }
  return "/";
}

// Follows Go's os.Expand and getShellName, with "$$" as an escape.
std::string expand_env(std::string_view text, const Environment& env) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] != '$' || i + 1 == text.size()) {
      out += text[i++];
      continue;
    }
    const std::string_view rest = text.substr(i + 1);
    if (rest[0] == '$') {
      out += '$';
      i += 2;
    } else if (rest[0] == '{') {
      if (rest.size() > 2 && is_shell_special(rest[1]) && rest[2] == '}') {
        out += env.get(rest.substr(1, 1));
        i += 4;
        continue;
      }
      const auto close = rest.find('}');
      if (close == std::string_view::npos) {
        i += 2;  // Go eats "${" when it is never closed
      } else {
        if (close > 1) out += env.get(rest.substr(1, close - 1));  // "${}" is eaten, as in Go
        i += 1 + close + 1;
      }
    } else if (is_shell_special(rest[0])) {
      out += env.get(rest.substr(0, 1));
      i += 2;
    } else {
      std::size_t length = 0;
      while (length < rest.size() && is_name_char(rest[length])) ++length;
      if (length == 0) {
        out += '$';  // not followed by a name: the dollar stays
        i += 1;
      } else {
        out += env.get(rest.substr(0, length));
        i += 1 + length;
      }
    }
  }
  return out;
}

Environment command_environment(const oci::Json& image_config, const std::vector<EnvVar>& global,
                                const std::vector<EnvVar>& local) {
  Environment env = image_environment(image_config);
  if (!env.has("PATH")) env.set("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  for (const EnvVar& var : global) env.set(var.key, expand_env(var.value, env));
  for (const EnvVar& var : local) env.set(var.key, expand_env(var.value, env));
  return env;
}

}  // namespace kiln::verify
