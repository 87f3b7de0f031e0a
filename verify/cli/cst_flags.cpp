#include "verify/cli/cst_flags.h"

#include <nlohmann/json.hpp>

#include <algorithm>

#include "core/error.h"

namespace kiln::verify {
namespace {

// CST's one-letter flags that take a value, and the kiln flag each stands for.
std::string long_form(const std::string& flag) {
  if (flag == "-c") return "--config";
  if (flag == "-i") return "--image";
  if (flag == "-o") return "--output";
  if (flag == "-d") return "--driver";
  return "";
}

}  // namespace

std::vector<std::string> translate_cst_flags(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  std::vector<std::string> configs;
  std::size_t config_at = 0;  // where the accumulated --config goes: the first one's place
  std::size_t i = 0;
  if (!args.empty() && args[0] == "test") i = 1;  // `container-structure-test test …`
  for (; i < args.size(); ++i) {
    std::string arg = args[i];
    if (arg == "-q") arg = "--quiet";
    if (arg == "-j") {  // CST's deprecated --json; kiln's --json names a JSON report file
      out.insert(out.end(), {"--output", "json"});
      continue;
    }
    std::string name = arg, value;
    bool has_value = false;
    if (const std::string flag = long_form(arg); !flag.empty()) {
      if (i + 1 >= args.size()) throw_usage("flag " + arg + " needs a value");
      name = flag;
      value = args[++i];
      has_value = true;
    } else if (arg.starts_with("--config=")) {
      name = "--config";
      value = arg.substr(9);
      has_value = true;
    } else if (arg == "--config") {
      if (i + 1 >= args.size() || args[i + 1].starts_with("--")) throw_usage("flag --config needs a value");
      value = args[++i];
      has_value = true;
    }
    if (name == "--config") {
      if (configs.empty()) config_at = out.size();
      configs.push_back(value);
      continue;
    }
    out.push_back(name);
    if (has_value) out.push_back(value);
  }
  // One value for every file. A single flag keeps kiln's list syntax (a, b or a JSON list); several
  // flags become one JSON list of their items.
  if (!configs.empty()) {
    std::string list = configs.front();
    if (configs.size() > 1) {
      nlohmann::json files = nlohmann::json::array();
      for (const std::string& value : configs) {
        const nlohmann::json parsed = nlohmann::json::parse(value, nullptr, false);
        if (value.starts_with("[") && parsed.is_array()) {
          for (const auto& item : parsed) files.push_back(item);
          continue;
        }
        std::size_t start = 0;
        while (start <= value.size()) {
          const std::size_t end = std::min(value.find_first_of(",;\n", start), value.size());
          if (end > start) files.push_back(value.substr(start, end - start));
          start = end + 1;
        }
      }
      list = files.dump();
    }
    out.insert(out.begin() + static_cast<std::ptrdiff_t>(config_at), {"--config", list});
  }
  return out;
}

}  // namespace kiln::verify
