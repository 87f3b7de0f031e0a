// The repository's Dockerfile, read by kiln's own parser: the build stage runs exactly the
// project's scripts (the ones ci/test.sh and .ci/run go through, and ci/bundle.sh), the plugin
// image is the pinned Kaniko executor with the bundle under /kaniko/kiln/, the verify image is
// scratch with the bundle and /kiln-probe, non-root.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "plugin/dockerfile/dockerfile.h"
#include "tests/support/files.h"

namespace kiln::ship {
namespace {
using kiln::testing::read_file;

namespace fs = std::filesystem;
using plugin::Dockerfile;
using plugin::Instruction;
using plugin::Stage;

const fs::path dockerfile_source_dir = KILN_SOURCE_DIR;


Dockerfile dockerfile() { return plugin::parse_dockerfile(read_file(dockerfile_source_dir / "Dockerfile"), "Dockerfile"); }

const Stage& stage(const Dockerfile& d, const std::string& name) {
  for (const auto& s : d.stages)
    if (s.name == name) return s;
  throw std::runtime_error("Dockerfile has no stage " + name);
}

std::vector<const Instruction*> all(const Stage& s, const std::string& keyword) {
  std::vector<const Instruction*> out;
  for (const auto& i : s.instructions)
    if (i.keyword == keyword) out.push_back(&i);
  return out;
}

std::map<std::string, std::string> labels(const Stage& s) {
  std::map<std::string, std::string> out;
  for (const Instruction* i : all(s, "LABEL"))
    for (const auto& kv : plugin::key_values(*i, "Dockerfile")) out[kv.key] = kv.value;
  return out;
}

std::string global_arg_default(const Dockerfile& d, const std::string& name) {
  for (const auto& arg : d.global_args)
    for (const auto& word : arg.args)
      if (word.starts_with(name + "=")) return word.substr(name.size() + 1);
  return {};
}

bool executable(const fs::path& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & S_IXUSR);
}

TEST(Dockerfile, HasTheBuildPluginAndVerifyStages) {
  const Dockerfile d = dockerfile();
  ASSERT_EQ(d.stages.size(), 3u);
  EXPECT_EQ(d.stages[0].name, "build");
  EXPECT_EQ(d.stages[0].base, "debian:bookworm");
  EXPECT_EQ(d.stages[1].name, "plugin");
  EXPECT_EQ(d.stages[1].base, "${KANIKO_IMAGE}");
  EXPECT_EQ(d.stages[2].name, "verify");
  EXPECT_EQ(d.stages[2].base, "scratch");
}

TEST(Dockerfile, TheBuildStageRunsTheProjectsOwnScripts) {
  const Dockerfile d = dockerfile();
  const Stage& build = stage(d, "build");
  std::vector<std::string> scripts;
  for (const Instruction* run : all(build, "RUN")) {
    ASSERT_TRUE(run->json_form) << run->original << ": exec form, no shell between the stage and the script";
    ASSERT_FALSE(run->args.empty());
    const std::string& script = run->args[0];
    EXPECT_TRUE(script.starts_with("ci/") && script.ends_with(".sh")) << script;
    EXPECT_TRUE(executable(dockerfile_source_dir / script)) << script << " is not an executable file of the repository";
    scripts.push_back(script);
  }
  EXPECT_EQ(scripts, (std::vector<std::string>{"ci/setup.sh", "ci/build.sh", "ci/bundle.sh"}));

  // The same chain CI runs: .ci/run → ci/test.sh → ci/build.sh → ci/setup.sh.
  EXPECT_NE(read_file(dockerfile_source_dir / ".ci/run").find("./ci/test.sh"), std::string::npos);
  EXPECT_NE(read_file(dockerfile_source_dir / "ci/test.sh").find("ci/build.sh"), std::string::npos);
  EXPECT_NE(read_file(dockerfile_source_dir / "ci/build.sh").find("ci/setup.sh"), std::string::npos);
  // ci/setup.sh is copied on its own first (a cached package layer), then the whole tree.
  const auto copies = all(build, "COPY");
  ASSERT_EQ(copies.size(), 2u);
  EXPECT_EQ(copies[0]->args, (std::vector<std::string>{"ci/setup.sh", "ci/setup.sh"}));
  EXPECT_EQ(copies[1]->args, (std::vector<std::string>{".", "."}));
  // What the later stages copy is where ci/bundle.sh was told to put the bundle.
  const auto runs = all(build, "RUN");
  EXPECT_EQ(runs.back()->args, (std::vector<std::string>{"ci/bundle.sh", "/out/kiln"}));
}

TEST(Dockerfile, ThePluginImageIsThePinnedKanikoExecutorWithTheBundleUnderKaniko) {
  const Dockerfile d = dockerfile();
  const std::string kaniko = global_arg_default(d, "KANIKO_IMAGE");
  EXPECT_TRUE(kaniko.starts_with("ghcr.io/osscontainertools/kaniko:v")) << kaniko;
  EXPECT_FALSE(kaniko.ends_with(":latest")) << kaniko;

  const Stage& plugin = stage(d, "plugin");
  const auto entrypoint = all(plugin, "ENTRYPOINT");
  ASSERT_EQ(entrypoint.size(), 1u);
  EXPECT_TRUE(entrypoint[0]->json_form);
  EXPECT_EQ(entrypoint[0]->args, std::vector<std::string>{"/kaniko/kiln/kiln-plugin"});
  EXPECT_TRUE(all(plugin, "USER").empty()) << "the executor must run as root";
  for (const Instruction* copy : all(plugin, "COPY")) {
    EXPECT_EQ(copy->flag("from"), "build");
    EXPECT_TRUE(copy->args.back().starts_with("/kaniko/")) << copy->original << ": Kaniko wipes everything outside /kaniko/";
  }
  EXPECT_EQ(all(plugin, "COPY")[0]->args, (std::vector<std::string>{"/out/kiln/", "/kaniko/kiln/"}));
  EXPECT_TRUE(all(plugin, "RUN").empty());
  EXPECT_EQ(labels(plugin)["org.opencontainers.image.title"], "\"kiln-plugin\"");
}

TEST(Dockerfile, TheVerifyImageIsScratchWithTheBundleAndTheProbeNonRoot) {
  const Dockerfile d = dockerfile();
  const Stage& verify = stage(d, "verify");
  const auto users = all(verify, "USER");
  ASSERT_EQ(users.size(), 1u);
  EXPECT_EQ(users[0]->args, std::vector<std::string>{"65532:65532"});
  std::vector<std::string> destinations;
  for (const Instruction* copy : all(verify, "COPY")) {
    EXPECT_EQ(copy->flag("from"), "build");
    destinations.push_back(copy->args.back());
  }
  // The kubernetes driver's init container runs `/kiln-probe install /kiln`.
  EXPECT_NE(std::find(destinations.begin(), destinations.end(), "/kiln-probe"), destinations.end());
  const auto entrypoint = all(verify, "ENTRYPOINT");
  ASSERT_EQ(entrypoint.size(), 1u);
  EXPECT_EQ(entrypoint[0]->args, std::vector<std::string>{"/opt/kiln/kiln-verify"});
  for (const char* label : {"org.opencontainers.image.title", "org.opencontainers.image.description", "org.opencontainers.image.version",
                            "org.opencontainers.image.source"})
    EXPECT_TRUE(labels(verify).count(label)) << label;
}

TEST(Dockerfile, TheContextLeavesBuildTreesOut) {
  const auto ignore = plugin::DockerIgnore::parse(read_file(dockerfile_source_dir / ".dockerignore"));
  EXPECT_TRUE(ignore.excluded("build/CMakeCache.txt"));
  EXPECT_TRUE(ignore.excluded(".git/HEAD"));
  EXPECT_FALSE(ignore.excluded("ci/setup.sh"));
  EXPECT_FALSE(ignore.excluded("CMakeLists.txt"));
}

}  // namespace
}  // namespace kiln::ship
