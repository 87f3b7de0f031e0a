#include "plugin/ci_context.h"

#include <gtest/gtest.h>

#include "core/log.h"

namespace kiln::plugin {

TEST(CiContext, Drone) {
  const Env env{{{"CI", "true"}, {"DRONE", "true"}, {"DRONE_COMMIT_REF", "refs/tags/v1.2.3"}, {"DRONE_TAG", "v1.2.3"},
                 {"DRONE_BRANCH", "main"}, {"DRONE_REPO_BRANCH", "main"}, {"DRONE_COMMIT_SHA", "abc123"},
                 {"DRONE_WORKSPACE", "/drone/src"}, {"DRONE_GIT_HTTP_URL", "https://git.example/o/r.git"},
                 {"DRONE_REPO_LINK", "https://git.example/o/r"}, {"DRONE_BUILD_EVENT", "tag"}}};
  EXPECT_EQ(read_ci_context(env), (CiContext{.system = CiSystem::drone, .ref = "refs/tags/v1.2.3", .tag = "v1.2.3",
                                             .branch = "main", .default_branch = "main", .sha = "abc123",
                                             .workspace = "/drone/src", .repo_url = "https://git.example/o/r",
                                             .event = "tag"}));
}

TEST(CiContext, Woodpecker) {
  const Env env{{{"CI", "woodpecker"}, {"CI_COMMIT_REF", "refs/pull/7/head"}, {"CI_COMMIT_BRANCH", "main"},
                 {"CI_REPO_DEFAULT_BRANCH", "main"}, {"CI_COMMIT_SHA", "def456"},
                 {"CI_WORKSPACE", "/woodpecker/src/git.example/o/r"}, {"CI_REPO_URL", "https://git.example/o/r"},
                 {"CI_PIPELINE_EVENT", "pull_request"}, {"CI_COMMIT_PULL_REQUEST", "7"}, {"DRONE_TAG", "ignored"}}};
  EXPECT_EQ(read_ci_context(env),
            (CiContext{.system = CiSystem::woodpecker, .ref = "refs/pull/7/head", .branch = "main",
                       .default_branch = "main", .sha = "def456", .workspace = "/woodpecker/src/git.example/o/r",
                       .repo_url = "https://git.example/o/r", .event = "pull_request", .pull_request = "7"}));
  EXPECT_EQ(read_ci_context(Env{{{"CI_SYSTEM_NAME", "woodpecker"}}}).system, CiSystem::woodpecker);
}

TEST(CiContext, GitlabDerivesTheRefAndReadsTheRegistry) {
  const Env env{{{"CI", "true"}, {"GITLAB_CI", "true"}, {"CI_COMMIT_BRANCH", "dev"}, {"CI_DEFAULT_BRANCH", "main"},
                 {"CI_COMMIT_SHA", "0a1b"}, {"CI_COMMIT_REF_NAME", "dev"}, {"CI_PROJECT_DIR", "/builds/g/p"},
                 {"CI_PROJECT_URL", "https://gitlab.example/g/p"},
                 {"CI_REPOSITORY_URL", "https://gitlab-ci-token:tok@gitlab.example/g/p.git"},
                 {"CI_PIPELINE_SOURCE", "push"}, {"CI_REGISTRY", "registry.gitlab.example"},
                 {"CI_REGISTRY_IMAGE", "registry.gitlab.example/g/p"}, {"CI_REGISTRY_USER", "gitlab-ci-token"},
                 {"CI_REGISTRY_PASSWORD", "job-token-1"}, {"CI_DEPENDENCY_PROXY_SERVER", "gitlab.example:443"},
                 {"CI_DEPENDENCY_PROXY_USER", "gitlab-ci-token"}, {"CI_DEPENDENCY_PROXY_PASSWORD", "job-token-2"}}};
  EXPECT_EQ(read_ci_context(env),
            (CiContext{.system = CiSystem::gitlab, .ref = "refs/heads/dev", .branch = "dev", .default_branch = "main",
                       .sha = "0a1b", .workspace = "/builds/g/p", .repo_url = "https://gitlab.example/g/p",
                       .event = "push", .registry = "registry.gitlab.example",
                       .registry_image = "registry.gitlab.example/g/p", .registry_user = "gitlab-ci-token",
                       .registry_password = "job-token-1", .dependency_proxy_server = "gitlab.example:443",
                       .dependency_proxy_user = "gitlab-ci-token", .dependency_proxy_password = "job-token-2"}));
  EXPECT_EQ(log::redact("token job-token-1"), "token ****");
  EXPECT_EQ(read_ci_context(Env{{{"GITLAB_CI", "true"}, {"CI_COMMIT_TAG", "v2.0.0"}}}).ref, "refs/tags/v2.0.0");
  EXPECT_EQ(read_ci_context(Env{{{"GITLAB_CI", "true"}, {"CI_MERGE_REQUEST_REF_PATH", "refs/merge-requests/3/head"},
                                 {"CI_MERGE_REQUEST_IID", "3"}}})
                .ref,
            "refs/merge-requests/3/head");
}

TEST(CiContext, DerivesTagFromRefAndNoneReadsNothing) {
  EXPECT_EQ(read_ci_context(Env{{{"DRONE", "true"}, {"DRONE_COMMIT_REF", "refs/tags/1.0.0"}}}).tag, "1.0.0");
  EXPECT_EQ(read_ci_context(Env{{{"DRONE_TAG", "v1"}, {"CI_COMMIT_TAG", "v1"}}}), CiContext{});
  EXPECT_EQ(to_string(CiSystem::gitlab), "gitlab");
}

}  // namespace kiln::plugin
