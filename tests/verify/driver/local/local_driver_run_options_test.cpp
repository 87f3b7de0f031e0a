// A spec's command tests through the local driver under real runc, as kiln-verify runs them
// (fact_runs, one collect per container, evaluate): a test's envVars reach the command, setup
// and teardown run around it in one writable container, and containerRunOptions are honoured.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "core/temp_dir.h"
#include "tests/verify/driver/local/local_driver_fixture.h"
#include "verify/check/evaluate.h"
#include "verify/check/request.h"
#include "verify/driver/local/local_driver.h"

namespace kiln::verify {
namespace {

using namespace kiln::verify::testing;

class LocalDriverRunOptions : public LocalDriverTest {
 protected:
  // Each test's status and message, by name.
  std::map<std::string, TestResult> run(const std::vector<Spec>& specs, const std::string& user = "app") {
    const ImageUnderTest pushed = image(user);
    LocalDriver driver(KILN_PROBE_BINARY);
    inspect::Facts facts;
    for (const FactRun& run : fact_runs(specs, pushed.image.config, pushed.image.platform)) {
      if (!facts.paths.empty() && run.request.commands.empty()) continue;
      inspect::Facts more = driver.collect(pushed, run.request, run.container);
      facts.paths.insert(facts.paths.end(), more.paths.begin(), more.paths.end());
      facts.commands.insert(facts.commands.end(), more.commands.begin(), more.commands.end());
    }
    std::map<std::string, TestResult> out;
    for (const SuiteResult& suite : evaluate(specs, pushed.image.config, pushed.image.platform, facts, "local"))
      for (const TestResult& test : suite.tests) out[test.name] = test;
    return out;
  }
};

TEST_F(LocalDriverRunOptions, ATestsEnvVarsReachItsCommand) {
  Spec spec{.name = "env", .source = "env.yaml", .global_env = {{"GLOBAL", "g"}}};
  spec.command_tests = {
      {.name = "shell reads X", .command = "sh", .args = {"-c", "echo \"$$X/$$GLOBAL\""}, .env_vars = {{"X", "from-test"}},
       .expected_output = {"^from-test/g\\n$"}},
      {.name = "value sees globals", .command = "sh", .args = {"-c", "echo \"$$Y\""}, .env_vars = {{"Y", "$GLOBAL-y"}},
       .expected_output = {"^g-y\\n$"}},
      {.name = "other tests do not", .command = "sh", .args = {"-c", "echo \"[$$X]\""}, .expected_output = {"^\\[\\]\\n$"}}};
  for (const auto& [name, result] : run({spec}))
    EXPECT_EQ(result.status, Status::passed) << name << ": " << result.message << "\n" << result.stdout_text;
}

TEST_F(LocalDriverRunOptions, SetupAndTeardownRunAroundTheCommandInOneWritableContainer) {
  Spec spec{.name = "setup", .source = "setup.yaml"};
  spec.command_tests = {
      {.name = "sees setup", .command = "cat", .args = {"/ready", "/tmp/log"},
       .env_vars = {{"WHO", "setup-env"}},
       .setup = {{"touch", "/ready"}, {"sh", "-c", "echo \"$WHO\" > /tmp/log"}, {"sh", "-c", "exit 7"}},
       .teardown = {{"sh", "-c", "echo teardown >&2"}},
       .expected_output = {"^setup-env\\n$"}},
      // The image again as pushed: the setup of another test left nothing, the root is read-only.
      {.name = "fresh image", .command = "cat", .args = {"/ready"}, .exit_code = 1},
      {.name = "read-only without setup", .command = "touch", .args = {"/planted"}, .exit_code = 1},
      {.name = "setup cannot start", .command = "true", .setup = {{"no-such-program"}}}};
  std::map<std::string, TestResult> results = run({spec}, "");
  EXPECT_EQ(results["sees setup"].status, Status::passed) << results["sees setup"].message;
  EXPECT_NE(results["sees setup"].details.find("setup[2] \"sh\" \"-c\" \"exit 7\" exited 7"), std::string::npos)
      << results["sees setup"].details;
  EXPECT_EQ(results["fresh image"].status, Status::passed) << results["fresh image"].message;
  EXPECT_EQ(results["read-only without setup"].status, Status::passed) << results["read-only without setup"].message;
  EXPECT_EQ(results["setup cannot start"].status, Status::failed);
  EXPECT_EQ(results["setup cannot start"].message.rfind("error in setup: setup[0] \"no-such-program\" could not run: ", 0), 0u)
      << results["setup cannot start"].message;
}

TEST_F(LocalDriverRunOptions, UserCapabilitiesPrivilegedAndBindMounts) {
  TempDir host("kiln-bind");
  std::ofstream(host.path() / "shared.txt") << "from the host\n";
  std::filesystem::permissions(host.path(), std::filesystem::perms::owner_all | std::filesystem::perms::others_read |
                                                std::filesystem::perms::others_exec);
  Spec options{.name = "options", .source = "options.yaml"};
  options.run_options = {.user = "root", .capabilities = {"net_raw"}, .bind_mounts = {host.path().string() + ":/mnt/host:ro"},
                         .line = 3};
  options.command_tests = {
      {.name = "user", .command = "id", .args = {"-u"}, .expected_output = {"^0\\n$"}},
      // CAP_NET_RAW is bit 13: 0x2000.
      {.name = "capabilities", .command = "cat", .args = {"/proc/self/status"},
       .expected_output = {"CapEff:\\t0000000000002000"}},
      {.name = "bind mount", .command = "cat", .args = {"/mnt/host/shared.txt"}, .expected_output = {"from the host"}},
      {.name = "read-only bind mount", .command = "touch", .args = {"/mnt/host/planted"}, .exit_code = 1}};
  Spec privileged{.name = "privileged", .source = "privileged.yaml"};
  // As in Docker, a privileged container's capabilities are root's: a non-root user keeps only
  // the bounding set.
  privileged.run_options = {.user = "0", .privileged = true, .line = 2};
  privileged.command_tests = {
      {.name = "every capability", .command = "cat", .args = {"/proc/self/status"},
       // Every capability this kernel knows: at least the low 32 bits.
       .expected_output = {"CapEff:\\t0*[13f]?f*ffffffff\\n", "CapBnd:\\t0*[13f]?f*ffffffff\\n", "NoNewPrivs:\\t0",
                           "Seccomp:\\t0"}},
      {.name = "still in the user namespace", .command = "cat", .args = {"/proc/self/uid_map"},
       .expected_output = {"^ +0 +1073741824 +1073741824\\n$"}},
      {.name = "sys", .command = "stat", .args = {"/sys/kernel"}}};
  Spec plain{.name = "plain", .source = "plain.yaml"};
  plain.command_tests = {{.name = "image user", .command = "id", .args = {"-u"}, .expected_output = {"^1000\\n$"}}};
  for (const auto& [name, result] : run({options, privileged, plain}))
    EXPECT_EQ(result.status, Status::passed) << name << ": " << result.message << "\n" << result.stdout_text
                                             << result.stderr_text;
  EXPECT_FALSE(std::filesystem::exists(host.path() / "planted"));
}

}  // namespace
}  // namespace kiln::verify
