#include "server/api/build_submission.h"

#include <fmt/format.h>

#include <functional>

#include "core/duration.h"
#include "core/error.h"
#include "core/settings.h"
#include "plugin/settings.h"
#include "server/api/http_util.h"
#include "server/api/labels.h"
#include "server/api/matrix_build.h"
#include "server/api/typed_settings.h"
#include "server/policy/build_paths.h"
#include "server/policy/plugin_rules.h"
#include "server/policy/verify_registry_settings.h"
#include "verify/cli/settings_table.h"

namespace kiln::server {
namespace {

using oci::Json;

// The checks of server/policy as the API's 400s.
template <typename F>
void as_bad_request(F&& check) {
  try {
    check();
  } catch (const kiln::Error& e) {
    throw ApiError(400, e.what());
  }
}

const SettingSpec* find_spec(const SettingsTable& table, const std::string& name) {
  for (const auto& spec : table) {
    if (spec.name == name) return &spec;
    for (const auto& alias : spec.aliases)
      if (alias == name) return &spec;
  }
  return nullptr;
}

// Lists travel as a CI system passes them: joined with commas, or as a JSON array when an item
// holds a comma or a newline itself (kiln's list parser reads both).
std::string setting_value(const std::string& where, const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  if (value.is_number()) return value.dump();
  if (value.is_array()) {
    std::string joined;
    bool needs_json = false;
    for (const auto& item : value) {
      if (!item.is_string() && !item.is_number()) throw ApiError(400, fmt::format("{}: list items must be strings", where));
      const std::string text = item.is_string() ? item.get<std::string>() : item.dump();
      needs_json |= text.find_first_of(",\n;") != std::string::npos;
      joined += (joined.empty() ? "" : ",") + text;
    }
    return needs_json ? value.dump() : joined;
  }
  if (value.is_object()) return value.dump();  // config / logins documents
  throw ApiError(400, fmt::format("{}: expected a string, number, boolean, list or object", where));
}

void read_settings(const Json& object, Program program, const SettingsTable& table, const std::string& prefix,
                   SettingMap& plain, SettingMap& secret, const std::function<std::string(const std::string&)>& suggest) {
  if (object.is_null()) return;
  if (!object.is_object()) throw ApiError(400, fmt::format("{}: expected an object of settings", prefix));
  for (const auto& [name, value] : object.items()) {
    const SettingSpec* spec = find_spec(table, name);
    if (!spec)
      throw ApiError(400, fmt::format("{}.{}: unknown setting (did you mean {}?)", prefix, name, suggest(name)));
    if (value.is_null()) continue;
    const std::string text = setting_value(prefix + "." + name, value);
    as_bad_request([&] { check_setting(program, spec->name, text, prefix + "." + name); });
    (spec->secret ? secret : plain)[spec->name] = text;
  }
}

std::string resolve_context(const Json& context, const SubmissionPaths& paths) {
  if (!context.is_string())
    throw ApiError(400, "context: expected a directory on the server or an uploaded context id (POST /v1/contexts)");
  std::string dir;
  as_bad_request([&] { dir = resolve_context_dir(context.get<std::string>(), paths.contexts).string(); });
  return dir;
}

void read_verify(const Json& verify, BuildSpec& spec) {
  if (verify.is_null()) return;
  if (verify.is_boolean()) {
    spec.verify = verify.get<bool>();
    return;
  }
  spec.verify = true;
  read_settings(verify, Program::verify, verify::verify_setting_specs(), "verify", spec.verify_settings,
                spec.verify_secret_settings,
                [](const std::string& w) { return closest_setting(verify::verify_setting_specs(), w); });
}

void check_fields(const Json& body, std::initializer_list<const char*> known, const std::string& where) {
  if (!body.is_object()) throw ApiError(400, fmt::format("{}: expected a JSON object", where));
  for (const auto& [key, value] : body.items()) {
    bool ok = false;
    for (const char* k : known) ok |= key == k;
    if (!ok) throw ApiError(400, fmt::format("{}: unknown field '{}'", where, key));
  }
}

// "timeout": a Go duration, at most the server's build_timeout (the operator's bound).
std::int64_t read_timeout(const Json& value, const SubmissionPaths& paths, const std::string& where) {
  if (value.is_null()) return 0;
  const auto parsed = value.is_string() ? parse_go_duration(value.get<std::string>()) : std::nullopt;
  if (!parsed || *parsed < std::chrono::seconds(1))
    throw ApiError(400, fmt::format("{}timeout: expected a duration of at least 1s, as Go writes it (\"90s\", \"30m\", \"1h\")", where));
  const auto seconds = std::chrono::ceil<std::chrono::seconds>(*parsed);
  if (seconds > paths.max_timeout)
    throw ApiError(400, fmt::format("{}timeout: {} is longer than this server's build_timeout of {}", where,
                                    value.get<std::string>(), format_go_duration(paths.max_timeout)));
  return seconds.count();
}

BuildSpec parse_one(const Json& body, const SubmissionPaths& paths, const Json& common_settings, const Json& common_context,
                    const Json& common_verify, const Json& common_timeout, const Labels& common_labels,
                    const std::string& where) {
  BuildSpec spec;
  spec.labels = merge_labels(common_labels, parse_labels(body.value("labels", Json()), where + "labels"), where + "labels");
  read_settings(common_settings, Program::plugin, plugin::setting_specs(), "settings", spec.settings, spec.secret_settings,
                plugin::closest_setting);
  read_settings(body.value("settings", Json()), Program::plugin, plugin::setting_specs(), where + "settings", spec.settings,
                spec.secret_settings, plugin::closest_setting);
  spec.context_dir = resolve_context(body.contains("context") ? body["context"] : common_context, paths);
  read_verify(body.contains("verify") ? body["verify"] : common_verify, spec);
  inherit_registry_settings(spec);
  spec.timeout_seconds = read_timeout(body.contains("timeout") ? body["timeout"] : common_timeout, paths, where);
  as_bad_request([&] { check_paths_inside_context(spec, where); });
  try {
    check_plugin_rules(spec);
  } catch (const kiln::Error& e) {
    throw ApiError(400, fmt::format("{}settings: {}", where, e.what()));
  }
  return spec;
}

}  // namespace

BuildSpec parse_build(const Json& body, const SubmissionPaths& paths) {
  check_fields(body, {"settings", "context", "verify", "timeout", "labels"}, "build");
  return parse_one(body, paths, Json(), Json(), Json(), Json(), {}, "");
}

BatchSubmission parse_batch(const Json& body, const SubmissionPaths& paths) {
  check_fields(body, {"builds", "matrix", "settings", "context", "verify", "timeout", "labels"}, "batch");
  BatchSubmission batch;
  batch.labels = parse_labels(body.value("labels", Json()), "labels");
  const Json common_timeout = body.value("timeout", Json());
  const Json common_settings = body.value("settings", Json());
  const Json common_context = body.value("context", Json());
  const Json common_verify = body.value("verify", Json());
  std::vector<BuildSpec>& out = batch.builds;
  if (body.contains("builds") == body.contains("matrix")) throw ApiError(400, "batch: give either builds or matrix");
  if (body.contains("builds")) {
    const Json& builds = body["builds"];
    if (!builds.is_array() || builds.empty()) throw ApiError(400, "builds: expected a non-empty list of builds");
    for (std::size_t i = 0; i < builds.size(); ++i) {
      const std::string where = fmt::format("builds[{}].", i);
      check_fields(builds[i], {"settings", "context", "verify", "timeout", "labels"}, "builds[" + std::to_string(i) + "]");
      out.push_back(parse_one(builds[i], paths, common_settings, common_context, common_verify, common_timeout, batch.labels, where));
    }
    return batch;
  }
  const Json& matrix = body["matrix"];
  check_fields(matrix, {"services", "platforms", "tags"}, "matrix");
  const auto axis = [&](const char* name) {
    Json values = matrix.value(name, Json::array());
    if (!values.is_array()) throw ApiError(400, fmt::format("matrix.{}: expected a list", name));
    return values;
  };
  Json services = axis("services");
  if (services.empty()) services.push_back(Json::object());  // the batch's settings are the one service
  const Json platforms = axis("platforms"), tags = axis("tags");
  for (std::size_t s = 0; s < services.size(); ++s) {
    const Json service = services[s].is_null() ? Json::object() : services[s];
    const std::string where = fmt::format("matrix.services[{}].", s);
    check_fields(service, {"name", "settings", "context", "verify", "timeout", "labels"}, fmt::format("matrix.services[{}]", s));
    const Json one = matrix_build(service, common_settings, platforms, tags, where);
    out.push_back(parse_one(one, paths, common_settings, common_context, common_verify, common_timeout, batch.labels, where));
  }
  constexpr std::size_t kMaxBatch = 1000;
  if (out.size() > kMaxBatch) throw ApiError(400, fmt::format("matrix: expands to {} builds, more than {}", out.size(), kMaxBatch));
  return batch;
}

Json build_json(const BuildRecord& r) {
  Json j = {{"id", r.id},
            {"state", to_string(r.state)},
            {"settings", typed_settings(r.spec.settings, plugin::setting_specs())},
            {"context", r.spec.context_dir},
            {"verify", r.spec.verify},
            {"created_ms", r.created_ms},
            {"started_ms", r.started_ms},
            {"finished_ms", r.finished_ms},
            {"exit_code", r.exit_code},
            {"digest", r.digest},
            {"message", r.message},
            {"attempts", r.attempts},
            {"has_report", r.has_report},
            {"labels", r.spec.labels}};
  if (!r.batch_id.empty()) j["batch_id"] = r.batch_id;
  if (!r.rerun_of.empty()) j["rerun_of"] = r.rerun_of;
  if (r.spec.verify) j["verify_settings"] = typed_settings(r.spec.verify_settings, verify::verify_setting_specs());
  return j;
}

}  // namespace kiln::server
