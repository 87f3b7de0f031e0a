#include "verify/check/request.h"

#include "verify/check/test_inputs.h"

namespace kiln::verify {
namespace {

void ask(inspect::FactRequest& request, const inspect::PathQuery& query) {
  for (inspect::PathQuery& existing : request.paths) {
    if (existing.path == query.path) {
      existing.contents = existing.contents || query.contents;
      existing.sha256 = existing.sha256 || query.sha256;
      existing.elf = existing.elf || query.elf;
      return;
    }
  }
  request.paths.push_back(query);
}

}  // namespace

inspect::FactRequest fact_request(const std::vector<Spec>& specs, const oci::Json& image_config,
                                  const oci::Platform& platform) {
  inspect::FactRequest request;
  for (std::size_t s = 0; s < specs.size(); ++s) {
    const Spec& spec = specs[s];
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
    for (const ElfTest& test : spec.elf_tests) {
      if (skip_reason(test.filter, platform)) continue;
      ask(request, {.path = test.path, .elf = true});
    }
    for (std::size_t c = 0; c < spec.command_tests.size(); ++c) {
      const CommandTest& test = spec.command_tests[c];
      if (skip_reason(test.filter, platform)) continue;
      request.commands.push_back(command_query(test, spec, image_config, command_id(s, c)));
    }
  }
  return request;
}

}  // namespace kiln::verify
