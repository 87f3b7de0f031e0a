#include "core/settings.h"

#include <Poco/String.h>
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <sstream>
#include <stdexcept>

#include "core/duration.h"
#include "core/error.h"
#include "core/log.h"
#include "core/text.h"

namespace kiln {
namespace {

const SettingSpec* find_spec(const SettingsTable& table, const std::string& name) {
  for (const auto& spec : table) {
    if (spec.name == name) return &spec;
    if (std::find(spec.aliases.begin(), spec.aliases.end(), name) != spec.aliases.end()) return &spec;
  }
  return nullptr;
}

std::string to_upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string trimmed(std::string_view s) { return std::string(trim(s)); }

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// A boolean flag given bare (--insecure) means true, as with the executors' own flags.
bool is_boolean(const SettingSpec& spec) { return spec.default_value == "false" || spec.default_value == "true"; }

}  // namespace

std::string closest_setting(const SettingsTable& table, const std::string& word) {
  std::string best;
  std::size_t best_distance = std::string::npos;
  for (const auto& spec : table) {
    std::vector<std::string> names = spec.aliases;
    names.insert(names.begin(), spec.name);
    for (const auto& n : names) {
      const std::size_t d = edit_distance(word, n);
      if (d < best_distance) best_distance = d, best = spec.name;
    }
  }
  return best;
}

namespace {

// Reads <prefix><NAME> variables into `values` (only settings not set there yet); unknown
// names become warnings with the closest known one.
void read_prefixed(const SettingsTable& table, const Env& env, const std::string& prefix, std::map<std::string, std::string>& values,
                   std::vector<std::string>* warnings) {
  std::map<std::string, std::string> found, found_in;  // setting -> value, variable
  for (const auto& [key, value] : env.vars) {
    if (!key.starts_with(prefix)) continue;
    // Woodpecker turns '-' and '.' into '_' already; the lower-cased rest is the setting name.
    const std::string name = Poco::toLower(key.substr(prefix.size()));
    const SettingSpec* spec = find_spec(table, name);
    if (!spec) {
      if (warnings)
        warnings->push_back(fmt::format("unknown setting {} (did you mean {}{}?)", key, prefix,
                                        to_upper(closest_setting(table, name))));
      continue;
    }
    if (value.empty() || values.count(spec->name)) continue;  // CI systems export unset settings as ""
    if (auto it = found_in.find(spec->name); it != found_in.end()) {
      // PLUGIN_TAG and PLUGIN_TAGS both set: the canonical name wins, else the first alias.
      const std::string& kept = name == spec->name ? key : it->second;
      if (warnings)
        warnings->push_back(fmt::format("{} and {} both set setting {}: using {}", it->second, key, spec->name, kept));
      if (name != spec->name) continue;
    }
    found[spec->name] = value;
    found_in[spec->name] = key;
  }
  values.insert(found.begin(), found.end());
}

}  // namespace

Settings Settings::load(const SettingsTable& table, const Env& env, const std::vector<std::string>& args,
                        std::vector<std::string>* warnings) {
  Settings s;
  s.table_ = &table;
  read_prefixed(table, env, "PLUGIN_", s.values_, warnings);
  read_prefixed(table, env, "KILN_", s.values_, warnings);
  for (const auto& spec : table) {
    if (s.values_.count(spec.name)) continue;
    for (const auto& var : spec.env)
      if (auto value = env.get(var)) {
        s.values_[spec.name] = *value;
        break;
      }
  }
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--help" || arg == "-h") { s.help_ = true; continue; }
    if (arg == "--version") { s.version_ = true; continue; }
    if (arg == "--settings-reference") { s.reference_ = true; continue; }
    if (!arg.starts_with("--")) throw_usage(fmt::format("unexpected argument '{}': settings are given as --name value", arg));
    std::string name = arg.substr(2), value;
    bool inline_value = false;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      inline_value = true;
    }
    std::replace(name.begin(), name.end(), '-', '_');
    const SettingSpec* spec = find_spec(table, name);
    if (!spec) throw_usage(fmt::format("unknown flag --{} (did you mean --{}?)", name, closest_setting(table, name)));
    if (!inline_value) {
      if (is_boolean(*spec)) value = "true";
      else if (i + 1 >= args.size() || args[i + 1].starts_with("--"))
        throw_usage(fmt::format("flag --{} needs a value", name));
      else value = args[++i];
    }
    s.values_[spec->name] = value;
  }
  for (const auto& [name, value] : s.values_) {
    const SettingSpec* spec = find_spec(table, name);
    if (spec->secret) log::add_secret(value);
    if (!spec->ignored_reason.empty() && warnings)
      warnings->push_back(fmt::format("setting {} has no effect: {}", name, spec->ignored_reason));
  }
  return s;
}

const SettingSpec& Settings::spec_of(const std::string& name) const {
  if (table_)
    for (const auto& spec : *table_)
      if (spec.name == name) return spec;
  // Values are kept under canonical names: an alias or a misspelt name would read as unset.
  throw std::logic_error(fmt::format("kiln asks for setting '{}', which is no setting's name in its table", name));
}

bool Settings::has(const std::string& name) const {
  spec_of(name);
  return values_.count(name) > 0;
}

std::string Settings::get(const std::string& name) const {
  const SettingSpec& spec = spec_of(name);
  if (auto it = values_.find(name); it != values_.end()) return it->second;
  return spec.default_value;
}

bool Settings::get_bool(const std::string& name) const {
  const std::string v = Poco::toLower(trimmed(get(name)));
  if (v.empty() || v == "false" || v == "no" || v == "0" || v == "off") return false;
  if (v == "true" || v == "yes" || v == "1" || v == "on") return true;
  throw_usage(fmt::format("setting {}: '{}' is not a boolean (use true or false)", name, get(name)));
}

std::int64_t Settings::get_int(const std::string& name) const {
  const std::string v = trimmed(get(name));
  try {
    std::size_t used = 0;
    const long long n = std::stoll(v, &used);
    if (used == v.size()) return n;
  } catch (const std::exception&) {
  }
  throw_usage(fmt::format("setting {}: '{}' is not a whole number", name, v));
}

std::chrono::milliseconds Settings::get_duration(const std::string& name) const {
  const std::string v = trimmed(get(name));
  const auto parsed = parse_go_duration(v);
  const auto ms = parsed ? std::chrono::duration_cast<std::chrono::milliseconds>(*parsed) : std::chrono::milliseconds(0);
  if (ms.count() <= 0)
    throw_usage(fmt::format("setting {}: '{}' is not a positive duration such as 30s, 5m or 1m30s", name, v));
  return ms;
}

std::vector<std::string> Settings::get_list(const std::string& name, std::string_view separators) const {
  const std::string raw = trimmed(get(name));
  std::vector<std::string> out;
  if (raw.starts_with("[")) {
    const nlohmann::json doc = nlohmann::json::parse(raw, nullptr, false);
    if (doc.is_discarded() || !doc.is_array())
      throw_usage(fmt::format("setting {}: value starts with '[' but is not a JSON array", name));
    for (const auto& item : doc) {
      if (!item.is_string()) throw_usage(fmt::format("setting {}: JSON array items must be strings", name));
      if (auto t = trimmed(item.get<std::string>()); !t.empty()) out.push_back(t);
    }
    return out;
  }
  return split_trimmed(raw, separators);
}

SettingsTable with_setting_types(SettingsTable table, std::initializer_list<SettingTyping> types) {
  for (const SettingTyping& typing : types) {
    const auto spec = std::find_if(table.begin(), table.end(), [&](const SettingSpec& s) { return s.name == typing.name; });
    if (spec == table.end()) throw std::logic_error("a type for '" + std::string(typing.name) + "', which is not in the settings table");
    spec->type = typing.type;
    spec->list_separators = typing.list_separators;
  }
  return table;
}

std::string settings_list_text(const SettingsTable& table) {
  std::ostringstream out;
  for (const auto& spec : table) {
    std::string names = "--" + spec.name;
    for (const auto& alias : spec.aliases) names += ", --" + alias;
    out << fmt::format("  {:<34} {}", names, spec.help);
    if (!spec.ignored_reason.empty()) out << " [ignored: " << spec.ignored_reason << "]";
    if (!spec.default_value.empty()) out << fmt::format(" (default: {})", spec.default_value);
    out << "\n";
  }
  return out.str();
}

// A table cell: '|' would end the cell and a newline the row.
std::string markdown_cell(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '|') out += "\\|";
    else if (c == '\n') out += ' ';
    else out += c;
  }
  return out;
}

std::string markdown_code_list(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + ("`" + n + "`");
  return out;
}

std::string settings_markdown_table(const SettingsTable& table) {
  std::ostringstream out;
  out << "| setting | aliases | default | description | also read from |\n"
         "|---|---|---|---|---|\n";
  for (const auto& spec : table) {
    if (!spec.ignored_reason.empty()) continue;
    std::string help = spec.help;
    if (spec.secret) help += " (secret)";
    out << fmt::format("| `{}` | {} | {} | {} | {} |\n", spec.name, markdown_code_list(spec.aliases),
                       spec.default_value.empty() ? std::string() : "`" + markdown_cell(spec.default_value) + "`",
                       markdown_cell(help), markdown_code_list(spec.env));
  }
  return out.str();
}

}  // namespace kiln
