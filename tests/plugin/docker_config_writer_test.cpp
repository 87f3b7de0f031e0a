#include "plugin/docker_config_writer.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "core/error.h"
#include "core/log.h"
#include "core/temp_dir.h"

namespace kiln::plugin {
namespace {

std::string config_of(const Env& env) {
  return make_docker_config(load_settings(env, {}, nullptr), read_ci_context(env)).dump();
}

std::string config_error(const Env& env) {
  try {
    config_of(env);
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_class(), ExitClass::usage);
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST(Credentials, DockerHubAliasesAreOneKey) {
  for (const char* alias : {"docker.io", "index.docker.io", "registry-1.docker.io", "https://index.docker.io/v1/",
                            "https://index.docker.io/v2/", "https://registry.hub.docker.com/v2/", "DOCKER.IO"})
    EXPECT_EQ(docker_config_key(alias), "https://index.docker.io/v1/") << alias;
  EXPECT_EQ(docker_config_key("https://r.example:5000/v2/"), "r.example:5000");
  EXPECT_EQ(docker_config_key("quay.io/org-a"), "quay.io/org-a") << "path-scoped keys are kept";
}

// base64("u:p") = dTpw, base64("pull:pw") = cHVsbDpwdw==, base64("l:lp") = bDpscA==
TEST(Credentials, MergesEverySourceGolden) {
  const Env env{{{"PLUGIN_REPO", "r.example:5000/team/app"}, {"PLUGIN_USERNAME", "u"}, {"PLUGIN_PASSWORD", "p"},
                 {"PLUGIN_BASE_IMAGE_REGISTRY", "docker.io"}, {"PLUGIN_BASE_IMAGE_USERNAME", "pull"},
                 {"PLUGIN_BASE_IMAGE_PASSWORD", "pw"},
                 {"PLUGIN_LOGINS", R"([{"registry":"https://ghcr.io","username":"l","password":"lp"}])"},
                 {"PLUGIN_CONFIG", R"({"auths":{"quay.io":{"auth":"eDp5"}},"credHelpers":{"gcr.io":"gcloud"}})"}}};
  EXPECT_EQ(config_of(env),
            R"({"auths":{"quay.io":{"auth":"eDp5"},"r.example:5000":{"auth":"dTpw"},"ghcr.io":{"auth":"bDpscA=="},)"
            R"("https://index.docker.io/v1/":{"auth":"cHVsbDpwdw=="}},"credHelpers":{"gcr.io":"gcloud"}})");
}

TEST(Credentials, RawConfigWinsForTheSameRegistry) {
  const Env env{{{"PLUGIN_REGISTRY", "https://index.docker.io/v1/"}, {"PLUGIN_USERNAME", "u"},
                 {"PLUGIN_PASSWORD", "p"}, {"PLUGIN_DOCKER_CONFIG_JSON", R"({"auths":{"docker.io":{"auth":"eDp5"}}})"}}};
  EXPECT_EQ(config_of(env), R"({"auths":{"https://index.docker.io/v1/":{"auth":"eDp5"}}})");
}

TEST(Credentials, PushRegistryDefaultsToTheRepoThenDockerHub) {
  EXPECT_EQ(config_of(Env{{{"PLUGIN_REPO", "team/app"}, {"PLUGIN_USERNAME", "u"}, {"PLUGIN_PASSWORD", "p"}}}),
            R"({"auths":{"https://index.docker.io/v1/":{"auth":"dTpw"}}})");
  EXPECT_EQ(config_of(Env{{{"PLUGIN_ACCESS_TOKEN", "tok"}, {"PLUGIN_REPO", "gcr.io/p/app"}}}),
            R"({"auths":{"gcr.io":{"auth":"b2F1dGgyYWNjZXNzdG9rZW46dG9r"}}})");
  EXPECT_EQ(config_of(Env{}), R"({"auths":{}})");
}

TEST(Credentials, GitlabRegistryAndDependencyProxy) {
  const Env env{{{"GITLAB_CI", "true"}, {"CI_REGISTRY", "registry.gitlab.example"},
                 {"CI_REGISTRY_IMAGE", "registry.gitlab.example/g/p"}, {"CI_REGISTRY_USER", "u"},
                 {"CI_REGISTRY_PASSWORD", "p"}, {"CI_DEPENDENCY_PROXY_SERVER", "gitlab.example:443"},
                 {"CI_DEPENDENCY_PROXY_USER", "pull"}, {"CI_DEPENDENCY_PROXY_PASSWORD", "pw"}}};
  EXPECT_EQ(config_of(env), R"({"auths":{"registry.gitlab.example":{"auth":"dTpw"},)"
                            R"("gitlab.example:443":{"auth":"cHVsbDpwdw=="}}})");
  const Settings settings = load_settings(env, {}, nullptr);
  EXPECT_EQ(destination_repo(settings, read_ci_context(env)), "registry.gitlab.example/g/p");
  EXPECT_EQ(config_of(Env{{{"CI_REGISTRY", "r"}, {"CI_REGISTRY_USER", "u"}, {"CI_REGISTRY_PASSWORD", "p"}}}),
            R"({"auths":{}})")
      << "CI_REGISTRY* count only on GitLab";
}

TEST(Credentials, SecretsNeverInErrorMessages) {
  EXPECT_EQ(config_error(Env{{{"PLUGIN_PASSWORD", "hunter2"}}}), "setting username: is required when password is set");
  EXPECT_EQ(config_error(Env{{{"PLUGIN_CONFIG", R"({"auths": {"x": {"auth": "hunter2"}})"}}}),
            "setting config: not valid JSON");
  EXPECT_EQ(config_error(Env{{{"PLUGIN_CONFIG", R"(["hunter2"])"}}}),
            "setting config: must be a JSON object (a docker config.json)");
  EXPECT_EQ(config_error(Env{{{"PLUGIN_LOGINS", R"([{"registry":"ghcr.io","password":"hunter2"}])"}}}),
            "setting logins: item 1 (ghcr.io) needs both username and password");
  EXPECT_EQ(config_error(Env{{{"PLUGIN_LOGINS", R"({"password":"hunter2"})"}}}),
            R"(setting logins: not a JSON array of {"registry", "username", "password"} objects)");
  EXPECT_EQ(config_error(Env{{{"PLUGIN_BASE_IMAGE_USERNAME", "u"}, {"PLUGIN_BASE_IMAGE_PASSWORD", "hunter2"}}}),
            "setting base_image_registry: is required when base_image_username is set");
  EXPECT_EQ(log::redact("x hunter2 y"), "x **** y");
}

TEST(Credentials, WrittenWithMode0600) {
  TempDir dir("kiln-config");
  const oci::Json doc = oci::Json::parse(R"({"auths":{"r.example":{"auth":"dTpw"}}})");
  std::ofstream(dir.path() / "config.json") << "old";
  ::chmod((dir.path() / "config.json").c_str(), 0644);
  const auto path = write_docker_config(doc, dir.path());
  EXPECT_EQ(path, dir.path() / "config.json");
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u) << "replaced, not rewritten in place";
  std::ifstream in(path);
  EXPECT_EQ(std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()),
            "{\n  \"auths\": {\n    \"r.example\": {\n      \"auth\": \"dTpw\"\n    }\n  }\n}\n");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1) << "no temporary file left";
}

}  // namespace kiln::plugin

namespace kiln::plugin {

TEST(Credentials, DockerAuthConfigIsMergedLast) {
  const Env env{{{"PLUGIN_REGISTRY", "r.example"}, {"PLUGIN_USERNAME", "u"}, {"PLUGIN_PASSWORD", "p"},
                 {"DOCKER_AUTH_CONFIG", R"({"auths":{"r.example":{"auth":"eDp5"},"https://ghcr.io/":{"auth":"bDpscA=="}},)"
                                        R"("credHelpers":{"gcr.io":"gcloud"}})"}}};
  EXPECT_EQ(config_of(env), R"({"auths":{"r.example":{"auth":"dTpw"},"ghcr.io":{"auth":"bDpscA=="}},)"
                            R"("credHelpers":{"gcr.io":"gcloud"}})");
  EXPECT_EQ(config_error(Env{{{"DOCKER_AUTH_CONFIG", "{hunter2"}}}), "DOCKER_AUTH_CONFIG: not valid JSON");
}

}  // namespace kiln::plugin
