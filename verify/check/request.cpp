#include "verify/check/request.h"

#include "verify/check/test_inputs.h"

#include <algorithm>

namespace kiln::verify {
namespace {

void ask(inspect::FactRequest& request, const inspect::PathQuery& query) {
  for (inspect::PathQuery& existing : request.paths) {
    if (existing.path == query.path) {
      existing.contents = existing.contents || query.contents;
      existing.sha256 = existing.sha256 || query.sha256;
      existing.elf = existing.elf || query.elf;
      existing.list = existing.list || query.list;
      return;
    }
  }
  request.paths.push_back(query);
}

void ask_paths(inspect::FactRequest& request, const Spec& spec, const oci::Json& image_config,
               const oci::Platform& platform) {
  for (const FileExistenceTest& test : spec.file_existence_tests) {
    if (skip_reason(test.filter, platform)) continue;
    ask(request, {.path = existence_path(test, image_config), .sha256 = test.sha256.has_value()});
  }
  for (const FileContentTest& test : spec.file_content_tests) {
    if (skip_reason(test.filter, platform)) continue;
    ask(request, {.path = test.path,
                  .contents = !test.expected_contents.empty() || !test.excluded_contents.empty(),
                  .sha256 = test.sha256.has_value()});
  }
  for (const LicenseTest& test : spec.license_tests) {
    for (const std::string& file : test.files) ask(request, {.path = file, .contents = true});
    if (test.debian) ask(request, {.path = std::string(kDebianDocRoot), .list = true});
  }
  for (const ElfTest& test : spec.elf_tests) {
    if (skip_reason(test.filter, platform)) continue;
    ask(request, {.path = test.path, .elf = true});
  }
}

}  // namespace

CommandContainer spec_container(const Spec& spec) {
  const ContainerRunOptions& options = spec.run_options;
  CommandContainer out{.user = options.user, .privileged = options.privileged};
  if (!options.capabilities.empty()) {
    std::vector<std::string> names;
    for (const std::string& text : options.capabilities)
      for (const std::string& name : capability_names(text).value_or(std::vector<std::string>{}))
        if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    out.capabilities = names;
  }
  for (const std::string& text : options.bind_mounts) {
    std::string why;
    if (auto mount = parse_bind_mount(text, why)) out.bind_mounts.push_back(*mount);
  }
  if (options.is_set()) out.origin = spec.source + ":" + std::to_string(options.line) + ": containerRunOptions";
  return out;
}

std::vector<FactRun> fact_runs(const std::vector<Spec>& specs, const oci::Json& image_config,
                               const oci::Platform& platform) {
  std::vector<FactRun> runs(1);
  for (std::size_t s = 0; s < specs.size(); ++s) {
    const Spec& spec = specs[s];
    ask_paths(runs.front().request, spec, image_config, platform);
    const CommandContainer container = spec_container(spec);
    std::size_t spec_run = 0;  // the run of this spec's plain commands, once there is one
    for (std::size_t c = 0; c < spec.command_tests.size(); ++c) {
      const CommandTest& test = spec.command_tests[c];
      if (skip_reason(test.filter, platform)) continue;
      const inspect::CommandQuery query = command_query(test, spec, image_config, command_id(s, c));
      if (!test.setup.empty() || !test.teardown.empty()) {
        FactRun run{.container = container};
        run.container.writable_root = true;
        if (run.container.origin.empty()) run.container.origin = spec.source + ": commandTests[" + std::to_string(c) + "] setup";
        for (auto& setup : setup_queries(test, query)) run.request.commands.push_back(std::move(setup));
        run.request.commands.push_back(query);
        for (auto& teardown : teardown_queries(test, query)) run.request.commands.push_back(std::move(teardown));
        runs.push_back(std::move(run));
        continue;
      }
      if (container.is_default()) {
        runs.front().request.commands.push_back(query);
        continue;
      }
      if (spec_run == 0) {
        runs.push_back(FactRun{.container = container});
        spec_run = runs.size() - 1;
      }
      runs[spec_run].request.commands.push_back(query);
    }
  }
  return runs;
}

inspect::FactRequest license_follow_up(const std::vector<Spec>& specs, const inspect::Facts& facts) {
  inspect::FactRequest request;
  for (const Spec& spec : specs) {
    for (const LicenseTest& test : spec.license_tests) {
      if (!test.debian) continue;
      for (const std::string& file : debian_copyright_files(facts)) {
        const bool known = std::any_of(facts.paths.begin(), facts.paths.end(),
                                       [&](const inspect::PathFacts& path) { return path.path == file; });
        if (!known) ask(request, {.path = file, .contents = true});
      }
    }
  }
  return request;
}

inspect::FactRequest fact_request(const std::vector<Spec>& specs, const oci::Json& image_config,
                                  const oci::Platform& platform) {
  return fact_runs(specs, image_config, platform).front().request;
}

}  // namespace kiln::verify
