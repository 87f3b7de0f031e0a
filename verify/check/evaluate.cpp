#include "verify/check/evaluate.h"

#include <map>
#include <set>

#include "verify/check/judges.h"
#include "verify/check/test_inputs.h"

namespace kiln::verify {
namespace {

// Report names are read by Jenkins as package.class, so a suite name keeps to characters that
// cannot split it.
std::string classname_part(const std::string& name) {
  std::string out;
  for (char c : name) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    out += plain ? c : '_';
  }
  return out.empty() ? "suite" : out;
}

std::string unique(const std::string& wanted, std::set<std::string>& taken, const std::string& separator) {
  std::string name = wanted;
  for (int n = 2; taken.count(name); ++n) name = wanted + separator + std::to_string(n) + (separator == " (" ? ")" : "");
  taken.insert(name);
  return name;
}

class SuiteJudge {
 public:
  SuiteJudge(const oci::Json& config, const oci::Platform& platform, const inspect::Facts& facts)
      : config_(config), platform_(platform), facts_(facts) {
    for (const inspect::PathFacts& path : facts.paths) paths_.emplace(path.path, &path);
    for (const inspect::CommandFacts& command : facts.commands) commands_.emplace(command.id, &command);
  }

  SuiteResult judge(const Spec& spec, std::size_t spec_index, const std::string& suite_name) {
    suite_ = SuiteResult{.name = suite_name, .source = spec.source};
    prefix_ = classname_prefix(suite_name);
    names_.clear();
    for (std::size_t c = 0; c < spec.command_tests.size(); ++c) {
      const CommandTest& test = spec.command_tests[c];
      add("command", test.name, test.filter, [&] {
        const inspect::CommandQuery query = command_query(test, spec, config_, command_id(spec_index, c));
        std::vector<const inspect::CommandFacts*> setup;
        for (std::size_t i = 0; i < test.setup.size(); ++i) setup.push_back(command(setup_id(query.id, i)));
        return judge_command(test, query, command(query.id), setup);
      });
    }
    for (const FileExistenceTest& test : spec.file_existence_tests) {
      add("fileExistence", test.name, test.filter,
          [&] { return judge_file_existence(test, path(existence_path(test, config_))); });
    }
    for (const FileContentTest& test : spec.file_content_tests) {
      add("fileContent", test.name, test.filter, [&] { return judge_file_content(test, path(test.path)); });
    }
    for (const LicenseTest& test : spec.license_tests) {
      // CST names every license test alike.
      add("license", "License Test", TestFilter{}, [&] {
        return judge_license(test, facts_, [this](const std::string& file) { return path(file); });
      });
    }
    for (const ElfTest& test : spec.elf_tests) {
      add("elf", test.name, test.filter,
          [&] { return judge_elf(test, path(test.path), image_architecture(config_, platform_)); });
    }
    if (spec.metadata_test) {
      const MetadataTest& test = *spec.metadata_test;
      add("metadata", test.name, test.filter, [&] { return judge_metadata(test, config_); });
    }
    for (const TestResult& test : suite_.tests) suite_.seconds += test.seconds;
    return std::move(suite_);
  }

 private:
  template <typename Judge>
  void add(const std::string& kind, const std::string& name, const TestFilter& filter, Judge&& run) {
    TestResult result;
    if (const auto reason = skip_reason(filter, platform_)) {
      result = TestResult{.status = Status::skipped, .message = *reason};
    } else {
      result = run();
    }
    result.classname = prefix_ + kind;
    result.name = unique(name, names_[result.classname], " (");
    suite_.tests.push_back(std::move(result));
  }

  const inspect::PathFacts* path(const std::string& path) const {
    const auto it = paths_.find(path);
    return it == paths_.end() ? nullptr : it->second;
  }
  const inspect::CommandFacts* command(const std::string& id) const {
    const auto it = commands_.find(id);
    return it == commands_.end() ? nullptr : it->second;
  }

  const oci::Json& config_;
  const oci::Platform& platform_;
  const inspect::Facts& facts_;
  std::map<std::string, const inspect::PathFacts*> paths_;
  std::map<std::string, const inspect::CommandFacts*> commands_;
  SuiteResult suite_;
  std::string prefix_;
  std::map<std::string, std::set<std::string>> names_;
};

}  // namespace

std::string classname_prefix(const std::string& suite_name) { return "kiln.verify." + classname_part(suite_name) + "."; }

std::vector<SuiteResult> evaluate(const std::vector<Spec>& specs, const oci::Json& image_config,
                                  const oci::Platform& platform, const inspect::Facts& facts,
                                  const std::string& driver_name) {
  // The driver's name is not consulted: every driver is judged alike (its limits arrive as
  // facts, e.g. a command it did not run). It is kept in the signature for reports to come.
  (void)driver_name;
  SuiteJudge judge(image_config, platform, facts);
  std::set<std::string> suite_names;
  std::vector<SuiteResult> out;
  for (std::size_t s = 0; s < specs.size(); ++s) {
    out.push_back(judge.judge(specs[s], s, unique(specs[s].name, suite_names, "-")));
  }
  return out;
}

}  // namespace kiln::verify
