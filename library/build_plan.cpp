#include "library/build_plan.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/error.h"
#include "kiln/errors.h"
#include "library/public_errors.h"
#include "library/registry_access.h"
#include "oci/image/config_edit.h"

namespace kiln::library {
namespace {

const std::string kBuildRequest = "BuildRequest";

[[noreturn]] void bad(const std::string& field, const std::string& why) { bad_field(kBuildRequest, field, why); }

// A value parsed by kiln's own parsers; their usage errors name the field.
template <typename F>
auto parsed(const std::string& field, F&& parse) -> decltype(parse()) {
  try {
    return parse();
  } catch (const Error& e) {
    bad(field, e.what());
  }
}

std::vector<oci::Reference> destinations(const BuildRequest& r) {
  if (r.targets.empty()) bad("targets", "is empty: name a reference to push, e.g. registry.example.com/team/app:1.0");
  std::vector<oci::Reference> out;
  for (const std::string& text : r.targets) {
    oci::Reference ref = parsed("targets", [&] { return oci::Reference::parse(text); });
    if (ref.digest()) bad("targets", fmt::format("'{}' must name a tag, not a digest", text));
    if (std::find(out.begin(), out.end(), ref) == out.end()) out.push_back(std::move(ref));
  }
  return out;
}

void require_absolute(const std::string& field, const std::string& path) {
  if (!path.starts_with("/")) bad(field, fmt::format("'{}' is not an absolute path", path));
}

oci::CompressionSettings compression(const BuildRequest& r) {
  oci::CompressionSettings c{.kind = oci::Compression::gzip, .level = r.compression_level};
  int max = 9;
  switch (r.compression) {
    case Compression::gzip: break;
    case Compression::zstd: c.kind = oci::Compression::zstd, max = 19; break;
    case Compression::none: c.kind = oci::Compression::none; break;
  }
  if (c.kind != oci::Compression::none && (c.level < 1 || c.level > max))
    bad("compression_level", fmt::format("{} is out of range 1-{}", c.level, max));
  return c;
}

void add_binary(const BuildRequest& r, plugin::BuildPlan& plan) {
  plan.kind = plugin::BuildKind::binary_on_base;
  if (r.base.empty()) bad("base", "is required with binary: the base image, e.g. debian:bookworm-slim");
  plan.base = parsed("base", [&] { return oci::Reference::parse(r.base); });
  std::error_code ec;
  if (!std::filesystem::is_regular_file(r.binary, ec))
    bad("binary", fmt::format("{} does not exist or is not a regular file", r.binary.string()));
  plan.binaries = {plugin::PlatformBinary{.platform = std::nullopt, .path = r.binary}};
  require_absolute("app_path", r.app_path);
  require_absolute("working_dir", r.working_dir);
  plan.app_path = r.app_path;
  plan.working_dir = r.working_dir;
}

void add_dockerfile(const BuildRequest& r, plugin::BuildPlan& plan) {
  plan.kind = plugin::BuildKind::dockerfile;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(r.dockerfile, ec))
    bad("dockerfile", fmt::format("{} does not exist or is not a regular file", r.dockerfile.string()));
  plan.dockerfile = r.dockerfile;
  plan.context = r.context.empty() ? r.dockerfile.parent_path() : r.context;
  if (plan.context.empty()) plan.context = ".";
  if (!std::filesystem::is_directory(plan.context, ec))
    bad("context", fmt::format("{} is not a directory", plan.context.string()));
  for (const auto& [name, value] : r.build_args) plan.build_args.push_back({.name = name, .value = value});
  plan.target_stage = r.target_stage;
}

}  // namespace

plugin::BuildPlan plan_for(const BuildRequest& r) {
  if (r.binary.empty() == r.dockerfile.empty())
    throw UsageError("BuildRequest: give either binary (with base) or dockerfile");
  plugin::BuildPlan plan;
  plan.backend = plugin::BackendChoice::native;
  plan.destinations = destinations(r);
  plan.target = plan.destinations.front();
  plan.tags = {plan.target.tag()};
  if (!r.binary.empty()) add_binary(r, plan);
  else add_dockerfile(r, plan);
  if (!r.platform.empty()) plan.platform = parsed("platform", [&] { return oci::Platform::parse(r.platform); });
  plan.compression = compression(r);
  if (r.source_date_epoch < 0) bad("source_date_epoch", fmt::format("{} is negative", r.source_date_epoch));
  plan.source_date_epoch = r.source_date_epoch;
  if (!r.layer_cache_dir.empty()) plan.layer_cache_dir = r.layer_cache_dir;
  plan.access = access_for(r.registry, kBuildRequest);
  plan.push = true;
  // As kiln-plugin's auto_label without a CI around it: created is the image's own time.
  if (r.created_label) plan.labels["org.opencontainers.image.created"] = oci::rfc3339_utc(r.source_date_epoch);
  for (const auto& [key, value] : r.labels) {
    if (key.empty()) bad("labels", "a label without a key");
    plan.labels[key] = value;
  }
  return plan;
}

}  // namespace kiln::library
