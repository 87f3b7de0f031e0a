#include "server/api/openapi_markdown.h"

#include <fmt/format.h>

#include <algorithm>
#include <sstream>

#include "core/settings.h"
#include "oci/json.h"
#include "server/api/openapi_document.h"

namespace kiln::server {
namespace {

using oci::Json;

const Json& resolve(const Json& doc, const Json& value) {
  if (!value.is_object() || !value.contains("$ref")) return value;
  return doc.at(Json::json_pointer(value["$ref"].get<std::string>().substr(1)));
}

std::string ref_name(const Json& value) {
  const std::string ref = value.value("$ref", "");
  return ref.substr(ref.rfind('/') + 1);
}

// "`Build`", "list of `Build`", "string or null": a schema in a few words.
std::string schema_words(const Json& schema) {
  if (schema.contains("$ref")) return "`" + ref_name(schema) + "`";
  if (schema.contains("anyOf")) {
    std::string words;
    for (const Json& option : schema["anyOf"]) words += (words.empty() ? "" : " or ") + schema_words(option);
    return words;
  }
  if (schema.contains("allOf")) return schema_words(schema["allOf"][0]) + " and more";
  if (schema.contains("const")) return "`" + schema["const"].dump() + "`";
  if (schema.contains("enum")) {
    std::vector<std::string> values;
    for (const Json& v : schema["enum"]) values.push_back(v.get<std::string>());
    return "one of " + markdown_code_list(values);
  }
  const Json type = schema.value("type", Json("any"));
  if (type.is_array()) {
    std::string words;
    for (const Json& t : type) words += (words.empty() ? "" : " or ") + t.get<std::string>();
    return words;
  }
  if (type == "array") return "list of " + schema_words(schema.value("items", Json::object()));
  if (type == "object" && schema.contains("additionalProperties") && schema["additionalProperties"].is_object())
    return "object of " + schema_words(schema["additionalProperties"]);
  return type.get<std::string>();
}

std::string responses_cell(const Json& doc, const Json& responses) {
  std::string cell;
  for (const auto& [status, response] : responses.items()) {
    const Json& r = resolve(doc, response);
    std::string what;
    const Json contents = r.value("content", Json::object());
    // A response that comes in several media types (the log: text/event-stream or text/plain) names them all.
    for (const auto& [media, content] : contents.items())
      what += (what.empty() ? "" : " or ") +
              (media == "application/json" ? schema_words(content.value("schema", Json::object())) : media);
    cell += (cell.empty() ? "" : "; ") + status + (what.empty() ? "" : " " + what);
  }
  return cell;
}

}  // namespace

std::string openapi_markdown() {
  const Json doc = Json::parse(openapi_document());
  std::ostringstream out;
  out << "Generated from the OpenAPI document `server/api/openapi.json` (served at `GET /v1/openapi.json`;\n"
         "`kiln-server api-reference` prints this); do not edit by hand, run `ci/update-readme.sh`.\n\n"
         "| operation | what | query | responses |\n|---|---|---|---|\n";
  Json query_params = Json::object();
  for (const auto& [path, item] : doc["paths"].items()) {
    for (const char* method : {"get", "put", "post", "delete", "patch"}) {
      if (!item.contains(method)) continue;
      const Json& op = item[method];
      std::vector<std::string> query;
      for (const Json& p : op.value("parameters", Json::array())) {
        const Json& param = resolve(doc, p);
        if (param["in"] != "query") continue;
        query.push_back(param["name"]);
        query_params[param["name"].get<std::string>()] = param;
      }
      std::string upper(method);
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      std::string access = op.contains("security") && op["security"].empty() ? " (no token)" : "";
      if (op.contains("security") && !op["security"].empty()) access = " (the build's context token)";
      out << fmt::format("| `{} {}` | {}{} | {} | {} |\n", upper, path, markdown_cell(op.value("summary", "")), access,
                         markdown_code_list(query), markdown_cell(responses_cell(doc, op["responses"])));
    }
  }
  out << "\nQuery parameters (any other is a 400, and so is one given twice that is not repeatable):\n\n";
  for (const auto& [name, param] : query_params.items())
    out << fmt::format("- `{}` ({}): {}\n", name, schema_words(param.value("schema", Json::object())),
                       markdown_cell(param.value("description", "")));
  out << "\nResponse bodies (no other field is ever sent; `?` marks a field that may be absent):\n\n";
  for (const auto& [name, schema] : doc["components"]["schemas"].items()) {
    if (name.rfind("Submitted", 0) == 0 || name.find("Submission") != std::string::npos || name == "MatrixService") continue;
    Json properties = schema.value("properties", Json::object());
    Json required = schema.value("required", Json::array());
    for (const Json& part : schema.value("allOf", Json::array())) {
      const Json& base = resolve(doc, part);
      const Json base_properties = base.value("properties", Json::object());
      for (const auto& [k, v] : base_properties.items()) properties[k] = v;
      for (const Json& r : base.value("required", Json::array())) required.push_back(r);
    }
    if (properties.empty() || name == "BatchFields") continue;
    std::string fields;
    for (const auto& [field, field_schema] : properties.items()) {
      const bool always = std::find(required.begin(), required.end(), Json(field)) != required.end();
      fields += fmt::format("{}`{}`{} ({})", fields.empty() ? "" : ", ", field, always ? "" : "?", schema_words(field_schema));
    }
    out << fmt::format("- `{}`: {}\n", name, markdown_cell(fields));
  }
  return out.str();
}

}  // namespace kiln::server
