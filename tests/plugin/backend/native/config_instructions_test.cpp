#include "plugin/backend/native/config_instructions.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace kiln::plugin {

using oci::Json;

TEST(ConfigInstructions, EnvReplacesInPlaceAndAppends) {
  StageState s;
  apply_env(s, {{"A", "1"}, {"B", "2"}});
  apply_env(s, {{"A", "3"}, {"C", "x y"}});
  EXPECT_EQ(s.config["Env"], Json::array({"A=3", "B=2", "C=x y"}));
  EXPECT_EQ(s.variables["A"], "3");
}

TEST(ConfigInstructions, WorkdirIsRelativeToThePreviousOne) {
  StageState s;
  EXPECT_EQ(s.working_dir(), "/");
  apply_workdir(s, "/srv");
  apply_workdir(s, "app/../web/");
  EXPECT_EQ(s.config["WorkingDir"], "/srv/web");
}

// BuildKit's dispatchEntrypoint: ENTRYPOINT clears an inherited CMD, not one set in the stage.
TEST(ConfigInstructions, EntrypointClearsOnlyAnInheritedCmd) {
  StageState inherited;
  apply_entrypoint(inherited, {"/app"}, true);
  EXPECT_FALSE(inherited.config.contains("Cmd"));
  EXPECT_EQ(inherited.unset, std::vector<std::string>{"Cmd"});

  StageState own;
  apply_cmd(own, {"--help"}, true);
  apply_entrypoint(own, {"/app"}, true);
  EXPECT_EQ(own.config["Cmd"], Json::array({"--help"}));
  EXPECT_TRUE(own.unset.empty());
}

TEST(ConfigInstructions, ShellFormUsesTheStageShell) {
  StageState s;
  apply_cmd(s, {"echo $HOME"}, false);
  EXPECT_EQ(s.config["Cmd"], Json::array({"/bin/sh", "-c", "echo $HOME"}));
  apply_shell(s, {"/bin/bash", "-eo", "pipefail", "-c"});
  apply_entrypoint(s, {"run"}, false);
  EXPECT_EQ(s.config["Entrypoint"], Json::array({"/bin/bash", "-eo", "pipefail", "-c", "run"}));
  EXPECT_EQ(s.config["Shell"], Json::array({"/bin/bash", "-eo", "pipefail", "-c"}));
}

TEST(ConfigInstructions, ExposeNormalisesProtocolsAndRejectsGarbage) {
  StageState s;
  apply_expose(s, {"80", "53/UDP", "8000-8010/tcp"}, "Dockerfile:3");
  EXPECT_EQ(s.config["ExposedPorts"], Json::parse(R"({"80/tcp":{},"53/udp":{},"8000-8010/tcp":{}})"));
  try {
    apply_expose(s, {"http"}, "Dockerfile:4");
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "Dockerfile:4: invalid port 'http' (expected <port>[/tcp|/udp|/sctp])");
  }
}

TEST(ConfigInstructions, HealthcheckDurationsInNanoseconds) {
  StageState s;
  Instruction i{.keyword = "HEALTHCHECK", .flags = {{"interval", "1m30s"}, {"timeout", "500ms"}, {"retries", "3"}},
                .args = {"CMD", "curl -f http://localhost/"}, .json_form = false, .original = "", .line = 5};
  apply_healthcheck(s, i, i.args, "Dockerfile:5");
  EXPECT_EQ(s.config["Healthcheck"],
            Json::parse(R"({"Test":["CMD-SHELL","curl -f http://localhost/"],"Interval":90000000000,)"
                        R"("Timeout":500000000,"Retries":3})"));
  apply_healthcheck(s, Instruction{.keyword = "HEALTHCHECK", .args = {"NONE"}}, {"NONE"}, "Dockerfile:6");
  EXPECT_EQ(s.config["Healthcheck"], Json::parse(R"({"Test":["NONE"]})"));
}

}  // namespace kiln::plugin
