// What a remote client may set: every setting of kiln-plugin's and kiln-verify's tables is
// classified (a new one fails here until it is), and a real kiln-server refuses each setting
// that names a program, a file written on the server or the server's environment.
#include "server/policy/setting_policy.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "plugin/settings.h"
#include "tests/server/server_fixture.h"
#include "tests/support/files.h"
#include "verify/cli/settings_table.h"

namespace kiln::testing {
namespace {

using server::Program;
using server::SettingUse;

const SettingsTable& table_of(Program program) {
  return program == Program::plugin ? plugin::setting_specs() : verify::verify_setting_specs();
}

// A script that leaves a mark when something runs it.
std::filesystem::path marking_program(const std::filesystem::path& dir, const std::filesystem::path& mark) {
  const auto script = dir / "evil.sh";
  std::ofstream(script) << "#!/bin/sh\necho ran > " << mark.string() << "\nexit 0\n";
  std::filesystem::permissions(script, std::filesystem::perms::owner_all);
  return script;
}

class ServerSettingPolicy : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir("kiln-server-policy");
    std::filesystem::create_directories(dir_->path() / "contexts/app");
    std::ofstream(dir_->path() / "contexts/app/Dockerfile") << "FROM scratch\nRUN true\n";
    server_ = new ServerProcess(dir_->path() / "data", {.context_roots = {dir_->path() / "contexts"}});
  }
  static void TearDownTestSuite() {
    delete server_;
    delete dir_;
  }
  static std::string context() { return (dir_->path() / "contexts/app").string(); }
  static Json build(const Json& settings, const Json& verify = nullptr) {
    Json body = {{"settings", settings}, {"context", context()}};
    if (!verify.is_null()) body["verify"] = verify;
    return body;
  }

  static TempDir* dir_;
  static ServerProcess* server_;
};
TempDir* ServerSettingPolicy::dir_ = nullptr;
ServerProcess* ServerSettingPolicy::server_ = nullptr;

}  // namespace

TEST(SettingPolicy, EverySettingOfBothTablesIsClassifiedExactlyOnce) {
  for (const Program program : {Program::plugin, Program::verify}) {
    const auto& policies = server::setting_policies(program);
    for (const SettingSpec& spec : table_of(program)) {
      const auto count = std::count_if(policies.begin(), policies.end(), [&](const auto& p) { return p.name == spec.name; });
      EXPECT_EQ(count, 1) << spec.name << ": classify it in server/policy/setting_policy.cpp";
      // A setting kiln-plugin ignores today may do something tomorrow: then it is classified anew.
      if (const auto* policy = server::find_setting_policy(program, spec.name)) {
        EXPECT_EQ(policy->use == SettingUse::no_effect, !spec.ignored_reason.empty()) << spec.name;
      }
    }
    for (const auto& policy : policies) {
      const auto& table = table_of(program);
      EXPECT_TRUE(std::any_of(table.begin(), table.end(), [&](const SettingSpec& s) { return s.name == policy.name; }))
          << policy.name << " is classified but no longer a setting";
      if (policy.use == SettingUse::refused) {
        EXPECT_FALSE(policy.reason.empty()) << policy.name;
      }
    }
  }
}

TEST_F(ServerSettingPolicy, EveryRefusedSettingGets400NamingItAndWhy) {
  int refused = 0;
  for (const Program program : {Program::plugin, Program::verify}) {
    for (const auto& policy : server::setting_policies(program)) {
      if (policy.use != SettingUse::refused) continue;
      const std::string name(policy.name);
      const Json value = (dir_->path() / "written-by-the-server").string();
      const Json body = program == Program::plugin ? build({{"repo", "127.0.0.1:1/x"}, {name, value}})
                                                   : build({{"repo", "127.0.0.1:1/x"}}, {{name, value}});
      const HttpReply r = server_->request("POST", "/v1/builds", body.dump());
      const std::string where = (program == Program::plugin ? "settings." : "verify.") + name;
      EXPECT_EQ(r.status, 400) << where << ": " << r.body;
      EXPECT_EQ(r.json().value("error", ""), where + ": refused: it " + std::string(policy.reason));
      ++refused;
    }
  }
  EXPECT_GE(refused, 15);
  EXPECT_FALSE(std::filesystem::exists(dir_->path() / "written-by-the-server"));
}

TEST_F(ServerSettingPolicy, AnExecutorOrRuntimeOfTheClientsChoosingNeverRuns) {
  const auto builds_before = server_->request("GET", "/v1/builds").json()["builds"].size();
  TempDir tools("kiln-server-evil");
  const auto mark = tools.path() / "mark";
  const auto evil = marking_program(tools.path(), mark).string();
  // Before: kiln-plugin ran the "executor" for this Dockerfile (it has a RUN) as the server's user.
  const HttpReply executor = server_->request("POST", "/v1/builds", build({{"repo", "127.0.0.1:1/x"}, {"backend", "kaniko"}, {"executor", evil}}).dump());
  EXPECT_EQ(executor.status, 400);
  EXPECT_EQ(executor.json()["error"], "settings.executor: refused: it names a program, which kiln-server would run as its own user");
  // kiln-verify's local driver ran `runtime` (and `probe`) the same way.
  for (const char* setting : {"runtime", "probe"}) {
    const HttpReply r = server_->request("POST", "/v1/builds",
                                         build({{"repo", "127.0.0.1:1/x"}}, {{"driver", "local"}, {setting, evil}}).dump());
    EXPECT_EQ(r.status, 400) << setting;
    EXPECT_EQ(r.json()["error"], std::string("verify.") + setting +
                                     ": refused: it names a program, which kiln-server would run as its own user");
  }
  // An alias is the setting it stands for.
  const HttpReply alias = server_->request("POST", "/v1/builds",
                                           build({{"repo", "127.0.0.1:1/x"}, {"destination_tar_path", "/tmp/out.tar"}}).dump());
  EXPECT_EQ(alias.json()["error"], "settings.destination_tar_path: refused: it names a file on the server for kiln-plugin to "
                                   "write, as kiln-server's user");
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_FALSE(std::filesystem::exists(mark));
  EXPECT_EQ(server_->request("GET", "/v1/builds").json()["builds"].size(), builds_before) << "no build was queued";
}

TEST_F(ServerSettingPolicy, CredentialHelpersAndTheServersEnvironmentAreRefused) {
  const Json helper = build({{"repo", "127.0.0.1:1/x"}, {"config", {{"credsStore", "gcloud"}}}});
  const HttpReply r = server_->request("POST", "/v1/builds", helper.dump());
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.json()["error"], "settings.config: refused: its credsStore would run a credential helper installed on the "
                               "server, which answers with the server's own credentials");
  const Json verify_helper = build({{"repo", "127.0.0.1:1/x"}}, {{"docker_config", {{"credHelpers", {{"gcr.io", "gcr"}}}}}});
  EXPECT_EQ(server_->request("POST", "/v1/builds", verify_helper.dump()).json()["error"],
            "verify.docker_config: refused: its credHelpers would run a credential helper installed on the server, which "
            "answers with the server's own credentials");
  const Json env_secret = build({{"repo", "127.0.0.1:1/x"}, {"secrets", "id=aws,env=AWS_SECRET_ACCESS_KEY"}});
  const std::string error = server_->request("POST", "/v1/builds", env_secret.dump()).json()["error"];
  EXPECT_EQ(error.rfind("settings.secrets: refused: env= reads kiln-server's own environment variables", 0), 0u) << error;
  // Settings without a program, a server file or the server's environment in them still pass,
  // and so does a harmless value of a refused setting.
  const Json fine = build({{"repo", "127.0.0.1:1/x"}, {"layer_cache_dir", "none"}, {"config", {{"auths", Json::object()}}},
                           {"ignore_path", "/var/cache"}});
  EXPECT_EQ(server_->request("POST", "/v1/builds", fine.dump()).status, 201);
}

TEST(ServerEnvironment, TheServersOwnVariablesDoNotFillInABuildsSettings) {
  TempDir dir("kiln-server-env");
  std::filesystem::create_directories(dir.path() / "roots/app");
  // A stand-in kiln-plugin that prints its whole environment into the build log.
  const auto plugin = dir.path() / "print-env.sh";
  std::ofstream(plugin) << "#!/bin/sh\nenv | sort\nexit 1\n";
  std::filesystem::permissions(plugin, std::filesystem::perms::owner_all);
  // Plain variables kiln-plugin and kiln-verify fall back to, and a CI system's own.
  ServerProcess server(dir.path() / "data", {.context_roots = {dir.path() / "roots"},
                                              .extra = {{"plugin_binary", plugin.string()}},
                                              .env = {{"ACCESS_TOKEN", "server-access-token"},
                                                      {"DOCKER_AUTH_CONFIG", "{\"auths\":{}}"},
                                                      {"IMAGE_REF", "registry.example.com/server:1"},
                                                      {"KUBECONFIG", "/root/.kube/config"},
                                                      {"CI_JOB_TOKEN", "server-job-token"},
                                                      {"TMPDIR", "/var/tmp"},
                                                      {"KILN_TEST_MARK", "kept? no: KILN_*"},
                                                      {"LANG", "C.UTF-8"}}});
  const Json body = {{"settings", {{"repo", "127.0.0.1:1/x"}}}, {"context", (dir.path() / "roots/app").string()}};
  const std::string id = server.submit(body)["id"];
  server.wait_build(id);
  const std::string log = read_file(dir.path() / "data/logs" / (id + ".log"));
  for (const char* gone : {"ACCESS_TOKEN=", "DOCKER_AUTH_CONFIG=", "IMAGE_REF=", "KUBECONFIG=", "CI_JOB_TOKEN=", "KILN_TEST_MARK="})
    EXPECT_EQ(log.find(std::string("\n") + gone), std::string::npos) << gone << "\n" << log;
  EXPECT_NE(log.find("\nLANG=C.UTF-8\n"), std::string::npos) << log;
  EXPECT_NE(log.find("\nPLUGIN_REPO=127.0.0.1:1/x\n"), std::string::npos) << log;
  EXPECT_NE(log.find("\nTMPDIR=" + (dir.path() / "data/tmp" / id / "tmp").string() + "\n"), std::string::npos) << log;
}

}  // namespace kiln::testing
