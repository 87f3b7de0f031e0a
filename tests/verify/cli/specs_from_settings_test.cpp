// Which specs a run reads, and what of them reaches this machine.
#include "verify/cli/specs_from_settings.h"

#include <gtest/gtest.h>

#include <fstream>

#include "core/error.h"
#include "core/temp_dir.h"
#include "verify/cli/settings_table.h"

namespace kiln::verify {
namespace {

class SpecsFromSettings : public ::testing::Test {
 protected:
  std::string write(const std::string& name, const std::string& text) {
    const auto path = dir_.path() / name;
    std::ofstream(path) << text;
    return path.string();
  }
  std::vector<Spec> load(const std::vector<std::string>& args, const Env& env = {}) {
    return specs_from_settings(Settings::load(verify_setting_specs(), env, args, nullptr), env);
  }
  TempDir dir_{"kiln-specs"};
};

TEST_F(SpecsFromSettings, RunOptionVariablesComeFromTheEnvironmentAndTheEnvFile) {
  const std::string envfile = write("envfile", "FOO=from-file\nBAR=file-bar\n");
  const std::string spec = write("env.yaml", "schemaVersion: '2.0.0'\ncontainerRunOptions:\n  envVars: [BAR, UNSET]\n"
                                             "  envFile: " + envfile + "\n");
  const std::vector<Spec> specs = load({"--config", spec}, Env{.vars = {{"BAR", "from-env"}}});
  EXPECT_EQ(specs.at(0).run_env, (std::vector<EnvVar>{{"FOO", "from-file"}, {"BAR", "file-bar"}, {"BAR", "from-env"}}));
  try {
    load({"--config", write("missing.yaml", "schemaVersion: '2.0.0'\ncontainerRunOptions:\n  envFile: no/such/file\n")});
    ADD_FAILURE() << "loaded";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("missing.yaml:3: containerRunOptions.envFile: cannot read no/such/file"),
              std::string::npos)
        << e.what();
  }
}

// kiln-server runs kiln-verify with host_run_options=false on its clients' specs.
TEST_F(SpecsFromSettings, HostRunOptionsFalseRefusesWhatReachesThisMachine) {
  for (const char* option : {"envVars: [HOME]", "envFile: /etc/passwd", "bindMounts: ['/:/host:ro']", "privileged: true"}) {
    const std::string spec = write("host.yaml", std::string("schemaVersion: '2.0.0'\ncontainerRunOptions:\n  ") + option + "\n");
    try {
      load({"--config", spec, "--host_run_options=false"});
      ADD_FAILURE() << option;
    } catch (const Error& e) {
      EXPECT_EQ(e.exit_class(), ExitClass::usage);
      EXPECT_NE(std::string(e.what()).find("host.yaml:3: containerRunOptions."), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("which setting host_run_options=false refuses"), std::string::npos);
    }
  }
  const std::string user = write("user.yaml", "schemaVersion: '2.0.0'\ncontainerRunOptions:\n  user: root\n  capabilities: [net_raw]\n");
  EXPECT_NO_THROW(load({"--config", user, "--host_run_options=false"}));
}

}  // namespace
}  // namespace kiln::verify
