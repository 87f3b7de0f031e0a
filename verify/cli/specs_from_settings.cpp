#include "verify/cli/specs_from_settings.h"

#include <fmt/format.h>

#include <fstream>

#include "core/error.h"
#include "oci/digest.h"
#include "oci/sha256.h"
#include "verify/spec/app_suite.h"
#include "verify/spec/load_spec.h"

namespace kiln::verify {
namespace {

std::string sha256_of_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw_usage(fmt::format("setting binary: cannot read {}", path));
  oci::Sha256 hasher;
  std::vector<char> buffer(1 << 16);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    if (in.gcount() > 0) hasher.update(buffer.data(), static_cast<std::size_t>(in.gcount()));
  }
  return hasher.finish().hex();
}

bool wants_app_suite(const Settings& settings, bool has_specs) {
  const std::string value = settings.get("app_suite");
  if (value == "auto") return !has_specs;
  return settings.get_bool("app_suite");
}

}  // namespace

std::vector<Spec> specs_from_settings(const Settings& settings) {
  std::vector<Spec> specs;
  for (const auto& file : settings.get_list("config")) specs.push_back(load_spec(file));
  if (wants_app_suite(settings, !specs.empty())) {
    AppSuiteOptions options{.path = settings.get("app_path")};
    if (!options.path.starts_with("/")) throw_usage(fmt::format("setting app_path: '{}' is not an absolute path", options.path));
    if (settings.has("binary")) options.expected_sha256 = sha256_of_file(settings.get("binary"));
    options.version_args = settings.get_list("version_args", " \t");
    specs.insert(specs.begin(), app_suite(options));
  }
  if (specs.empty()) throw_usage("nothing to verify: setting config names no spec and app_suite is false");
  return specs;
}

}  // namespace kiln::verify
