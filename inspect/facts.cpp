#include "inspect/facts.h"

#include <array>

#include "core/error.h"
#include "inspect/base64.h"

namespace kiln::inspect {
namespace {

using nlohmann::json;

constexpr std::array<const char*, 8> kTypeNames = {"file", "directory", "symlink", "hardlink",
                                                   "char_device", "block_device", "fifo", "socket"};

const char* type_name(FileStat::Type type) { return kTypeNames[static_cast<std::size_t>(type)]; }

FileStat::Type type_from_name(const std::string& name) {
  for (std::size_t i = 0; i < kTypeNames.size(); ++i)
    if (name == kTypeNames[i]) return static_cast<FileStat::Type>(i);
  throw_infra("facts: unknown file type \"" + name + "\"");
}

// Reads `key` of `doc` as T, naming the field when it is missing or of the wrong type; the
// caller decides whether that is the user's fault (a request) or the probe's (facts).
template <typename T>
T field(const json& doc, const char* key, const char* what, ExitClass cls) {
  const auto it = doc.find(key);
  if (it == doc.end()) throw Error(cls, std::string(what) + ": field \"" + key + "\" is missing");
  try {
    return it->get<T>();
  } catch (const json::exception&) {
    throw Error(cls, std::string(what) + ": field \"" + key + "\" has the wrong type");
  }
}

template <typename T>
T optional_field(const json& doc, const char* key, T fallback, const char* what, ExitClass cls) {
  return doc.contains(key) ? field<T>(doc, key, what, cls) : fallback;
}

json to_json(const FileStat& stat) {
  json doc = {{"type", type_name(stat.type)}, {"mode", stat.mode}, {"uid", stat.uid},
              {"gid", stat.gid},              {"size", stat.size}};
  if (!stat.link_target.empty()) doc["link_target"] = stat.link_target;
  return doc;
}

FileStat stat_from_json(const json& doc) {
  constexpr auto cls = ExitClass::infra;
  return FileStat{.type = type_from_name(field<std::string>(doc, "type", "facts: stat", cls)),
                  .mode = field<std::uint32_t>(doc, "mode", "facts: stat", cls),
                  .uid = field<std::uint32_t>(doc, "uid", "facts: stat", cls),
                  .gid = field<std::uint32_t>(doc, "gid", "facts: stat", cls),
                  .size = field<std::uint64_t>(doc, "size", "facts: stat", cls),
                  .link_target = optional_field<std::string>(doc, "link_target", "", "facts: stat", cls)};
}

json to_json(const ElfFacts& elf) {
  json libraries = json::array();
  for (const auto& library : elf.libraries) libraries.push_back({{"name", library.name}, {"resolved", library.resolved}});
  return {{"bits", elf.bits},
          {"little_endian", elf.little_endian},
          {"machine", elf.machine},
          {"architecture", elf.architecture},
          {"dynamic", elf.dynamic},
          {"interpreter", elf.interpreter},
          {"interpreter_found", elf.interpreter_found},
          {"rpath", elf.rpath},
          {"runpath", elf.runpath},
          {"libraries", libraries}};
}

ElfFacts elf_from_json(const json& doc) {
  constexpr auto cls = ExitClass::infra;
  constexpr const char* what = "facts: elf";
  ElfFacts elf{.bits = field<int>(doc, "bits", what, cls),
               .little_endian = field<bool>(doc, "little_endian", what, cls),
               .machine = field<std::uint16_t>(doc, "machine", what, cls),
               .architecture = field<std::string>(doc, "architecture", what, cls),
               .dynamic = field<bool>(doc, "dynamic", what, cls),
               .interpreter = field<std::string>(doc, "interpreter", what, cls),
               .interpreter_found = field<bool>(doc, "interpreter_found", what, cls),
               .rpath = field<std::vector<std::string>>(doc, "rpath", what, cls),
               .runpath = field<std::vector<std::string>>(doc, "runpath", what, cls)};
  for (const auto& library : field<json>(doc, "libraries", what, cls))
    elf.libraries.push_back({.name = field<std::string>(library, "name", what, cls),
                             .resolved = field<std::string>(library, "resolved", what, cls)});
  return elf;
}

}  // namespace

json to_json(const FactRequest& request) {
  json paths = json::array();
  for (const auto& query : request.paths)
    paths.push_back({{"path", query.path}, {"contents", query.contents}, {"sha256", query.sha256}, {"elf", query.elf}, {"list", query.list}});
  json commands = json::array();
  for (const auto& query : request.commands) {
    json env = json::array();
    for (const auto& [key, value] : query.env) env.push_back({{"key", key}, {"value", value}});
    commands.push_back({{"id", query.id},
                        {"argv", query.argv},
                        {"env", env},
                        {"workdir", query.workdir},
                        {"timeout_seconds", query.timeout_seconds}});
  }
  return {{"paths", paths},
          {"commands", commands},
          {"max_content_bytes", request.max_content_bytes},
          {"max_output_bytes", request.max_output_bytes}};
}

FactRequest fact_request_from_json(const json& doc) {
  constexpr auto cls = ExitClass::usage;
  constexpr const char* what = "fact request";
  if (!doc.is_object()) throw_usage("fact request: not a JSON object");
  FactRequest request;
  request.max_content_bytes = optional_field<std::uint64_t>(doc, "max_content_bytes", request.max_content_bytes, what, cls);
  request.max_output_bytes = optional_field<std::uint64_t>(doc, "max_output_bytes", request.max_output_bytes, what, cls);
  for (const auto& query : optional_field<json>(doc, "paths", json::array(), what, cls))
    request.paths.push_back({.path = field<std::string>(query, "path", what, cls),
                             .contents = optional_field<bool>(query, "contents", false, what, cls),
                             .sha256 = optional_field<bool>(query, "sha256", false, what, cls),
                             .elf = optional_field<bool>(query, "elf", false, what, cls),
                             .list = optional_field<bool>(query, "list", false, what, cls)});
  for (const auto& query : optional_field<json>(doc, "commands", json::array(), what, cls)) {
    CommandQuery command{.id = field<std::string>(query, "id", what, cls),
                         .argv = field<std::vector<std::string>>(query, "argv", what, cls),
                         .workdir = optional_field<std::string>(query, "workdir", "", what, cls),
                         .timeout_seconds = optional_field<double>(query, "timeout_seconds", 60.0, what, cls)};
    for (const auto& entry : optional_field<json>(query, "env", json::array(), what, cls))
      command.env.emplace_back(field<std::string>(entry, "key", what, cls), field<std::string>(entry, "value", what, cls));
    if (command.argv.empty()) throw_usage("fact request: command \"" + command.id + "\" has an empty argv");
    request.commands.push_back(std::move(command));
  }
  return request;
}

json to_json(const Facts& facts) {
  json paths = json::array();
  for (const auto& path : facts.paths) {
    json doc = {{"path", path.path}, {"exists", path.exists}};
    if (path.exists) doc["stat"] = to_json(path.stat);
    if (path.contents) {
      doc["contents_base64"] = base64_encode(*path.contents);
      doc["contents_truncated"] = path.contents_truncated;
    }
    if (path.sha256) doc["sha256"] = *path.sha256;
    if (path.not_elf) doc["not_elf"] = true;
    if (path.elf) doc["elf"] = to_json(*path.elf);
    if (path.subdirectories) doc["subdirectories"] = *path.subdirectories;
    if (!path.error.empty()) doc["error"] = path.error;
    paths.push_back(std::move(doc));
  }
  json commands = json::array();
  for (const auto& command : facts.commands) {
    commands.push_back({{"id", command.id},
                        {"ran", command.ran},
                        {"exit_code", command.exit_code},
                        {"timed_out", command.timed_out},
                        {"out_of_memory", command.out_of_memory},
                        {"stdout_base64", base64_encode(command.stdout_text)},
                        {"stderr_base64", base64_encode(command.stderr_text)},
                        {"output_truncated", command.output_truncated},
                        {"seconds", command.seconds},
                        {"error", command.error}});
  }
  return {{"paths", paths}, {"commands", commands}};
}

Facts facts_from_json(const json& doc) {
  constexpr auto cls = ExitClass::infra;
  constexpr const char* what = "facts";
  if (!doc.is_object()) throw_infra("facts: not a JSON object");
  Facts facts;
  for (const auto& entry : field<json>(doc, "paths", what, cls)) {
    PathFacts path{.path = field<std::string>(entry, "path", what, cls), .exists = field<bool>(entry, "exists", what, cls)};
    if (path.exists) path.stat = stat_from_json(field<json>(entry, "stat", what, cls));
    if (entry.contains("contents_base64")) {
      path.contents = base64_decode(field<std::string>(entry, "contents_base64", what, cls), "facts: contents of " + path.path);
      path.contents_truncated = optional_field<bool>(entry, "contents_truncated", false, what, cls);
    }
    if (entry.contains("sha256")) path.sha256 = field<std::string>(entry, "sha256", what, cls);
    path.not_elf = optional_field<bool>(entry, "not_elf", false, what, cls);
    if (entry.contains("elf")) path.elf = elf_from_json(entry.at("elf"));
    if (entry.contains("subdirectories")) {
      path.subdirectories = field<std::vector<std::string>>(entry, "subdirectories", what, cls);
      if (path.subdirectories->size() > kMaxListedDirectories) throw_infra("facts: too many subdirectories of " + path.path);
    }
    path.error = optional_field<std::string>(entry, "error", "", what, cls);
    facts.paths.push_back(std::move(path));
  }
  for (const auto& entry : field<json>(doc, "commands", what, cls)) {
    const std::string id = field<std::string>(entry, "id", what, cls);
    facts.commands.push_back(
        {.id = id,
         .ran = field<bool>(entry, "ran", what, cls),
         .exit_code = field<int>(entry, "exit_code", what, cls),
         .timed_out = field<bool>(entry, "timed_out", what, cls),
         .out_of_memory = optional_field<bool>(entry, "out_of_memory", false, what, cls),
         .stdout_text = base64_decode(field<std::string>(entry, "stdout_base64", what, cls), "facts: stdout of " + id),
         .stderr_text = base64_decode(field<std::string>(entry, "stderr_base64", what, cls), "facts: stderr of " + id),
         .output_truncated = field<bool>(entry, "output_truncated", what, cls),
         .seconds = field<double>(entry, "seconds", what, cls),
         .error = field<std::string>(entry, "error", what, cls)});
  }
  return facts;
}

}  // namespace kiln::inspect
