// Every setting the shipped pipelines name is one the program of that step knows: `settings:`
// keys of the Drone and Woodpecker steps (PLUGIN_<NAME>), KILN_* variables of the GitLab jobs,
// and the PLUGIN_* env of the build pod in kaniko-pod.yaml. Parsed with yaml-cpp; a
// setting that is accepted but has no effect (plugins/docker's daemon options) counts as unknown.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "plugin/settings.h"
#include "verify/cli/settings_table.h"

namespace kiln::ship {
namespace {

enum class Program { plugin, verify };

const char* name_of(Program p) { return p == Program::plugin ? "kiln-plugin" : "kiln-verify"; }

/// Woodpecker and Drone turn '-' and '.' into '_'; settings are matched in lower case.
std::string canonical(std::string name) {
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return c == '-' || c == '.' ? '_' : std::tolower(c); });
  return name;
}

/// Empty when `name` is a setting of `program` that takes effect; else what is wrong.
std::string problem(Program program, const std::string& name) {
  const SettingsTable& table = program == Program::plugin ? plugin::setting_specs() : verify::verify_setting_specs();
  for (const auto& spec : table) {
    if (spec.name != name && std::find(spec.aliases.begin(), spec.aliases.end(), name) == spec.aliases.end()) continue;
    return spec.ignored_reason.empty() ? "" : std::string(name_of(program)) + " ignores " + name + ": " + spec.ignored_reason;
  }
  return std::string(name_of(program)) + " has no setting " + name;
}

YAML::Node load(const std::string& relative) { return YAML::LoadFile(KILN_SOURCE_DIR "/" + relative); }

Program program_of_image(const std::string& image) {
  if (image.find("kiln-plugin") != std::string::npos) return Program::plugin;
  if (image.find("kiln-verify") != std::string::npos) return Program::verify;
  throw std::runtime_error("a step whose image is neither kiln-plugin nor kiln-verify: " + image);
}

/// Checks the steps of a Drone or Woodpecker pipeline; returns how many settings it checked.
int check_plugin_steps(const std::string& file) {
  int checked = 0;
  std::map<Program, int> steps;
  for (const auto& step : load(file)["steps"]) {
    const Program program = program_of_image(step["image"].as<std::string>());
    ++steps[program];
    EXPECT_TRUE(step["settings"].IsMap()) << file << ": step " << step["name"];
    for (const auto& setting : step["settings"]) {
      const std::string name = canonical(setting.first.as<std::string>());
      EXPECT_EQ(problem(program, name), "") << file << ": step " << step["name"].as<std::string>();
      ++checked;
    }
  }
  EXPECT_EQ(steps[Program::plugin], 1) << file;
  EXPECT_EQ(steps[Program::verify], 1) << file;
  return checked;
}

TEST(PipelineExamples, DroneStepsUseOnlyKnownSettings) { EXPECT_GE(check_plugin_steps("ci/examples/.drone.yml"), 10); }

TEST(PipelineExamples, WoodpeckerStepsUseOnlyKnownSettings) { EXPECT_GE(check_plugin_steps("ci/examples/.woodpecker.yml"), 10); }

TEST(PipelineExamples, TheVerifyStepVerifiesWhatTheBuildStepPushed) {
  for (const char* file : {"ci/examples/.drone.yml", "ci/examples/.woodpecker.yml"}) {
    const YAML::Node steps = load(file)["steps"];
    ASSERT_EQ(steps.size(), 2u) << file;
    EXPECT_EQ(steps[0]["settings"]["digest_file"].as<std::string>(), steps[1]["settings"]["digest_file"].as<std::string>()) << file;
  }
}

TEST(PipelineExamples, GitlabJobsUseOnlyKnownKilnVariables) {
  const YAML::Node doc = load("ci/examples/gitlab-ci.yml");
  if (doc["variables"]) {
    for (const auto& var : doc["variables"])
      EXPECT_FALSE(var.first.as<std::string>().starts_with("KILN_")) << "global " << var.first << " would reach both programs";
  }
  int jobs = 0, checked = 0;
  for (const auto& item : doc) {
    const YAML::Node job = item.second;
    if (!job.IsMap() || !job["script"]) continue;
    const std::string job_name = item.first.as<std::string>();
    std::string script;
    for (const auto& line : job["script"]) script += line.as<std::string>() + "\n";
    const Program program = script.find("kiln-plugin") != std::string::npos ? Program::plugin : Program::verify;
    EXPECT_NE(script.find(name_of(program)), std::string::npos) << job_name;
    ++jobs;
    for (const auto& var : job["variables"]) {
      const std::string v = var.first.as<std::string>();
      if (!v.starts_with("KILN_")) continue;
      EXPECT_EQ(problem(program, canonical(v.substr(5))), "") << "job " << job_name << ": " << v;
      ++checked;
    }
  }
  EXPECT_EQ(jobs, 3);
  EXPECT_GE(checked, 15);
}

TEST(PipelineExamples, GitlabPublishesTheJunitReportEvenWhenVerifyFails) {
  const YAML::Node doc = load("ci/examples/gitlab-ci.yml");
  EXPECT_EQ(doc["stages"].as<std::vector<std::string>>(), (std::vector<std::string>{"build", "verify"}));
  const YAML::Node build = doc["build-image"];
  EXPECT_EQ(build["artifacts"]["reports"]["dotenv"].as<std::string>(), build["variables"]["KILN_DOTENV_FILE"].as<std::string>());
  for (const char* name : {"verify-image", "verify-in-cluster"}) {
    const YAML::Node job = doc[name];
    EXPECT_EQ(job["stage"].as<std::string>(), "verify") << name;
    EXPECT_EQ(job["needs"].as<std::vector<std::string>>(), std::vector<std::string>{"build-image"}) << name;
    EXPECT_EQ(job["artifacts"]["when"].as<std::string>(), "always") << name;
    EXPECT_EQ(job["artifacts"]["reports"]["junit"].as<std::string>(), job["variables"]["KILN_JUNIT"].as<std::string>()) << name;
    EXPECT_EQ(job["variables"]["KILN_DIGEST_FILE"].as<std::string>(), build["variables"]["KILN_DIGEST_FILE"].as<std::string>()) << name;
  }
}

TEST(PipelineExamples, TheBuildPodIsConfiguredOnlyWithKnownPluginSettings) {
  int checked = 0;
  for (const auto& doc : YAML::LoadAllFromFile(KILN_SOURCE_DIR "/kaniko-pod.yaml")) {
    if (!doc["kind"] || doc["kind"].as<std::string>() != "Pod") continue;
    for (const auto& container : doc["spec"]["containers"])
      for (const auto& env : container["env"]) {
        const std::string v = env["name"].as<std::string>();
        ASSERT_TRUE(v.starts_with("PLUGIN_") || v.starts_with("KILN_")) << v;
        EXPECT_EQ(problem(Program::plugin, canonical(v.substr(v.find('_') + 1))), "") << "kaniko-pod.yaml: " << v;
        ++checked;
      }
  }
  EXPECT_GE(checked, 5);
}

TEST(PipelineExamples, TheCheckRecognisesAnUnknownOrIgnoredSetting) {
  EXPECT_EQ(problem(Program::plugin, "tags"), "");
  EXPECT_EQ(problem(Program::plugin, canonical("build-args")), "");
  EXPECT_EQ(problem(Program::verify, "junit"), "");
  EXPECT_EQ(problem(Program::verify, "tags"), "kiln-verify has no setting tags");
  EXPECT_NE(problem(Program::plugin, "storage_driver"), "");  // plugins/docker's daemon: no effect
}

}  // namespace
}  // namespace kiln::ship
