// Settings → the executor's argv in a pod, through kiln-plugin's own kaniko mapping.
#include "server/engine/kubernetes/executor_command.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "core/error.h"

namespace kiln::server {
namespace {

bool has(const std::vector<std::string>& argv, const std::string& arg) {
  return std::find(argv.begin(), argv.end(), arg) != argv.end();
}

TEST(ExecutorCommand, MapsSettingsLikeThePluginWithPodPaths) {
  const auto command = executor_command({{"repo", "registry.example.com/team/app"},
                                         {"tags", "1.0.0,latest"},
                                         {"context", "services/api"},
                                         {"dockerfile", "services/api/Dockerfile"},
                                         {"cache", "true"},
                                         {"cache_repo", "registry.example.com/team/cache"},
                                         {"target", "runtime"},
                                         {"reproducible", "true"}});
  const auto& argv = command.argv;
  EXPECT_EQ(argv.front(), "/kaniko/executor");
  for (const char* arg :
       {"--dockerfile=/workspace/services/api/Dockerfile", "--context=dir:///workspace/services/api",
        "--destination=registry.example.com/team/app:1.0.0", "--destination=registry.example.com/team/app:latest",
        "--cache=true", "--cache-repo=registry.example.com/team/cache", "--target=runtime", "--reproducible",
        "--digest-file=/dev/termination-log"})
    EXPECT_TRUE(has(argv, arg)) << arg;
  // The executor stamps its own build time; the created label follows it, as in kiln-plugin.
  EXPECT_TRUE(std::any_of(argv.begin(), argv.end(), [](const std::string& a) {
    return a.starts_with("--label=org.opencontainers.image.created=") && !a.ends_with("1970-01-01T00:00:00Z");
  }));
}

TEST(ExecutorCommand, UnknownSettingsAreWarnedAbout) {
  const auto command = executor_command({{"repo", "r.example.com/a"}, {"tagz", "1"}});
  ASSERT_EQ(command.warnings.size(), 1u);
  EXPECT_EQ(command.warnings[0], "unknown setting PLUGIN_TAGZ (did you mean PLUGIN_TAGS?)");
}

TEST(ExecutorCommand, RefusesWhatAPodCannotDo) {
  const std::vector<std::pair<std::map<std::string, std::string>, std::string>> cases = {
      {{{"repo", "r.example.com/a"}, {"base_image", "busybox:1.36"}, {"binary", "/etc/hostname"}},
       "setting binary: the kubernetes engine builds Dockerfiles only"},
      {{{"repo", "r.example.com/a"}, {"push_only", "true"}, {"source_image", "r.example.com/b:1"}},
       "setting push_only: the kubernetes engine builds with the Kaniko executor"},
      {{{"repo", "r.example.com/a"}, {"context", "/srv"}}, "setting context: '/srv' must be a path inside"},
      {{{"repo", "r.example.com/a"}, {"dockerfile", "a/../../Dockerfile"}},
       "setting dockerfile: 'a/../../Dockerfile' must be a path inside"},
  };
  for (const auto& [settings, expected] : cases) {
    try {
      executor_command(settings);
      ADD_FAILURE() << expected;
    } catch (const Error& e) {
      EXPECT_EQ(e.exit_class(), ExitClass::usage);
      EXPECT_EQ(std::string(e.what()).substr(0, expected.size()), expected);
    }
  }
}

}  // namespace
}  // namespace kiln::server
