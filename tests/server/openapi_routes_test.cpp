// The router's table against the OpenAPI document, in both directions: every route the server
// has (method, path, path and query parameters) is documented, and the document describes no
// route the server lacks. The messages say what to add where.
#include <gtest/gtest.h>

#include <cctype>
#include <map>
#include <set>
#include <string>

#include "oci/json.h"
#include "server/api/openapi_document.h"
#include "server/api/routes.h"

namespace kiln::server {
namespace {

using oci::Json;

const Json& document() {
  static const Json doc = Json::parse(openapi_document());
  return doc;
}

// A Reference Object ("#/components/parameters/Limit") to what it names.
const Json& deref(const Json& value) {
  if (!value.contains("$ref")) return value;
  return document().at(Json::json_pointer(value["$ref"].get<std::string>().substr(1)));
}

std::string lower(std::string_view method) {
  std::string out(method);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The parameters of an operation where `in` is path or query: its own and its path item's.
std::map<std::string, Json> parameters(const std::string& path, const std::string& method, const std::string& in) {
  std::map<std::string, Json> out;
  const Json& item = document()["paths"][path];
  for (const Json* list : {&item, &item[method]}) {
    for (const Json& p : list->value("parameters", Json::array())) {
      const Json& param = deref(p);
      if (param["in"] == in) out[param["name"]] = param;
    }
  }
  return out;
}

constexpr const char* kMethods[] = {"get", "put", "post", "delete", "patch", "head", "options", "trace"};

}  // namespace

TEST(OpenApiRoutes, EveryRouteOfTheServerIsDocumented) {
  for (const Route& route : api_routes()) {
    const std::string path(route.path), method = lower(route.method);
    ASSERT_TRUE(document()["paths"].contains(path))
        << route.method << " " << path << " is a route of the server (server/api/route_table.cpp) but server/api/openapi.json "
        << "has no paths[\"" << path << "\"]: add it, with its operation, parameters and every response it gives";
    EXPECT_TRUE(document()["paths"][path].contains(method))
        << route.method << " " << path << " is a route of the server but server/api/openapi.json has no paths[\"" << path
        << "\"]." << method << ": add the operation and every response it gives";
  }
}

TEST(OpenApiRoutes, EveryDocumentedOperationIsARouteOfTheServer) {
  std::set<std::pair<std::string, std::string>> routes;
  for (const Route& route : api_routes()) routes.emplace(lower(route.method), route.path);
  for (const auto& [path, item] : document()["paths"].items())
    for (const char* method : kMethods)
      if (item.contains(method))
        EXPECT_TRUE(routes.count({method, path}))
            << "server/api/openapi.json documents " << method << " " << path
            << " but the server has no such route (server/api/route_table.cpp): remove it from the document or add the route";
}

TEST(OpenApiRoutes, PathParametersAreTheTemplatesNames) {
  for (const Route& route : api_routes()) {
    const std::string path(route.path), method = lower(route.method);
    if (!document()["paths"].contains(path)) continue;  // reported above
    std::set<std::string> in_template;
    for (std::size_t open = path.find('{'); open != std::string::npos; open = path.find('{', open + 1))
      in_template.insert(path.substr(open + 1, path.find('}', open) - open - 1));
    std::set<std::string> documented;
    for (const auto& [name, param] : parameters(path, method, "path")) {
      documented.insert(name);
      EXPECT_EQ(param.value("required", false), true) << path << ": path parameter " << name << " must be required";
    }
    EXPECT_EQ(documented, in_template) << route.method << " " << path << ": the document's path parameters differ from the template's";
  }
}

TEST(OpenApiRoutes, QueryParametersAreExactlyThoseTheRouteTakes) {
  for (const Route& route : api_routes()) {
    const std::string path(route.path), method = lower(route.method);
    if (!document()["paths"].contains(path) || !document()["paths"][path].contains(method)) continue;
    const auto documented = parameters(path, method, "query");
    for (const QueryParamSpec& spec : route.query) {
      const std::string name(spec.name);
      const auto found = documented.find(name);
      if (found == documented.end()) {
        ADD_FAILURE() << route.method << " " << path << " takes the query parameter " << name << " (server/api/route_table.cpp) but "
                      << "server/api/openapi.json does not document it: add it to the operation's parameters";
        continue;
      }
      // A repeatable parameter is an array (style form, exploded); one given once is not.
      const Json schema = deref(found->second.value("schema", Json::object()));
      EXPECT_EQ(schema.value("type", Json()) == "array", spec.repeatable)
          << route.method << " " << path << " ?" << name << ": documented " << (spec.repeatable ? "as given once" : "as an array")
          << ", but the route takes it " << (spec.repeatable ? "repeated" : "once");
    }
    for (const auto& [name, param] : documented) {
      bool taken = false;
      for (const QueryParamSpec& spec : route.query) taken |= spec.name == name;
      EXPECT_TRUE(taken) << "server/api/openapi.json documents the query parameter " << name << " of " << route.method << " " << path
                         << " but the route does not take it (an unknown query parameter is a 400): add it to the route's "
                         << "query list in server/api/route_table.cpp or remove it from the document";
    }
  }
}

TEST(OpenApiRoutes, EveryOperationNeedingATokenDocumentsItsRefusals) {
  for (const Route& route : api_routes()) {
    const std::string path(route.path), method = lower(route.method);
    if (!document()["paths"].contains(path) || !document()["paths"][path].contains(method)) continue;
    const Json& operation = document()["paths"][path][method];
    const Json& responses = operation["responses"];
    if (route.access == Access::api_token) {
      EXPECT_TRUE(responses.contains("401")) << route.method << " " << path << ": document the 401 (#/components/responses/Unauthorized)";
      EXPECT_TRUE(responses.contains("429")) << route.method << " " << path << ": document the 429 (#/components/responses/TooManyRequests)";
      EXPECT_FALSE(operation.contains("security")) << route.method << " " << path << " needs the API token: keep the document's global security";
    } else if (route.access == Access::open) {
      EXPECT_EQ(operation.value("security", Json()), Json::array()) << route.method << " " << path << " needs no token: give it \"security\": []";
    }
    if (!route.query.empty())
      EXPECT_TRUE(responses.contains("400")) << route.method << " " << path << " takes a query, which is refused when wrong: document the 400";
  }
}

}  // namespace kiln::server
