#include "verify/driver/local/local_driver.h"

#include <gtest/gtest.h>

#include <fstream>

#include "core/error.h"
#include "core/temp_dir.h"
#include "tests/verify/driver/local/local_driver_fixture.h"

namespace kiln::verify {
namespace {

using namespace kiln::verify::testing;
using inspect::CommandQuery;
using inspect::FactRequest;

TEST_F(LocalDriverTest, RunsCommandsInTheImageAsItsUserWithoutNetworkOrCapabilities) {
  LocalDriver driver(KILN_PROBE_BINARY);
  const FactRequest request{
      .paths = {{.path = "/bin/busybox", .contents = false, .sha256 = true, .elf = true}},
      .commands = {command("exit", {"sh", "-c", "echo out; echo err >&2; exit 3"}), command("net", {"cat", "/proc/net/dev"}),
                   command("id", {"id"}), command("status", {"cat", "/proc/self/status"}),
                   command("readonly root", {"touch", "/planted"}), command("tmp", {"touch", "/tmp/scratch"}),
                   command("slow", {"sleep", "30"}, 1)}};
  const inspect::Facts facts = driver.collect(image("app"), request);

  ASSERT_EQ(facts.paths.size(), 1u);
  EXPECT_TRUE(facts.paths[0].exists);
  EXPECT_EQ(facts.paths[0].sha256, oci::Sha256::of(host_file("/bin/busybox")).hex());
  ASSERT_EQ(facts.commands.size(), 7u);
  for (const auto& c : facts.commands) EXPECT_TRUE(c.ran) << c.id << ": " << c.error;

  EXPECT_EQ(facts.commands[0].exit_code, 3);
  EXPECT_EQ(facts.commands[0].stdout_text, "out\n");
  EXPECT_EQ(facts.commands[0].stderr_text, "err\n");

  // /proc/net/dev: two header lines, then one line per interface.
  const std::string& net = facts.commands[1].stdout_text;
  EXPECT_NE(net.find("lo:"), std::string::npos) << net;
  EXPECT_EQ(std::count(net.begin(), net.end(), ':'), 1) << "no interface but lo:\n" << net;

  EXPECT_EQ(facts.commands[2].stdout_text, "uid=1000(app) gid=1000(app) groups=1000(app),2000(extra)\n");

  const std::string& status = facts.commands[3].stdout_text;
  for (const char* line : {"CapInh:\t0000000000000000", "CapPrm:\t0000000000000000", "CapEff:\t0000000000000000",
                           "CapBnd:\t0000000000000000", "CapAmb:\t0000000000000000", "NoNewPrivs:\t1"})
    EXPECT_NE(status.find(line), std::string::npos) << line << "\n" << status;

  EXPECT_NE(facts.commands[4].exit_code, 0) << "the root filesystem is read-only";
  EXPECT_EQ(facts.commands[5].exit_code, 0) << facts.commands[5].stderr_text;
  EXPECT_TRUE(facts.commands[6].timed_out) << "the probe kills a command at its own timeout";
  EXPECT_LT(facts.commands[6].seconds, 10);
}

TEST_F(LocalDriverTest, RunsAsRootWhenTheImageNamesNoUser) {
  LocalDriver driver(KILN_PROBE_BINARY);
  const inspect::Facts facts = driver.collect(image(""), {.paths = {}, .commands = {command("id", {"id", "-u"})}});
  ASSERT_EQ(facts.commands.size(), 1u);
  EXPECT_EQ(facts.commands[0].stdout_text, "0\n");
}

TEST_F(LocalDriverTest, KillsTheContainerWhenTheWholeRunOutlivesItsTimeout) {
  LocalDriver driver(KILN_PROBE_BINARY, {.runc = "runc", .margin = {}, .run_timeout = std::chrono::seconds(2), .limits = {}});
  const auto started = std::chrono::steady_clock::now();
  try {
    driver.collect(image("app"), {.paths = {}, .commands = {command("slow", {"sleep", "60"}, 120)}});
    FAIL() << "a 60 s command finished within 2 s";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_class(), ExitClass::infra);
    EXPECT_NE(std::string(e.what()).find("did not finish within 2000 ms (the commands' timeouts plus a margin); "
                                         "the container was killed"),
              std::string::npos)
        << e.what();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(30));
}

TEST_F(LocalDriverTest, AnUnknownUserIsAnInfraErrorNamingIt) {
  LocalDriver driver(KILN_PROBE_BINARY);
  try {
    driver.collect(image("ghost"), {});
    FAIL() << "ran as a user the image does not define";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_class(), ExitClass::infra);
    EXPECT_STREQ(e.what(), "the image's User \"ghost\": no user \"ghost\" in the image's /etc/passwd");
  }
}

TEST_F(LocalDriverTest, RunsAStaticBinaryInAScratchImage) {
  // Nothing but the application (here the static probe itself): no shell, no /etc, no /tmp.
  const std::string app = write_tar({dir("usr"), dir("usr/local"), dir("usr/local/app"),
                                     file("usr/local/app/main", host_file(KILN_PROBE_BINARY), 0755)});
  const ImageUnderTest scratch =
      push_test_image(client_, "local/scratch", "v1", {app}, {{"User", "65532"}, {"WorkingDir", "/usr/local/app"}});
  LocalDriver driver(KILN_PROBE_BINARY);
  const inspect::Facts facts = driver.collect(
      scratch, {.paths = {{.path = "/usr/local/app/main", .contents = false, .sha256 = false, .elf = true}},
                .commands = {command("version", {"/usr/local/app/main", "--version"}),
                             command("missing", {"/bin/sh", "-c", "true"})}});
  ASSERT_TRUE(facts.paths[0].elf);
  EXPECT_FALSE(facts.paths[0].elf->dynamic);
  EXPECT_TRUE(facts.commands[0].ran) << facts.commands[0].error;
  EXPECT_EQ(facts.commands[0].exit_code, 0);
  EXPECT_FALSE(facts.commands[0].stdout_text.empty());
  EXPECT_FALSE(facts.commands[1].ran && facts.commands[1].exit_code == 0) << "there is no shell in scratch";
}

TEST_F(LocalDriverTest, ARuncFailureIsAnInfraErrorWithRuncsStderr) {
  // A stand-in for runc that fails the way runc does when it cannot create the container.
  TempDir bin("kiln-fake-runc");
  const auto fake = bin.path() / "runc";
  std::ofstream(fake) << "#!/bin/sh\necho 'runc run failed: unable to start container process' >&2\nexit 1\n";
  std::filesystem::permissions(fake, std::filesystem::perms::owner_all);
  LocalDriver driver(KILN_PROBE_BINARY, {.runc = fake.string(), .margin = std::chrono::seconds(30), .run_timeout = {},
                                         .limits = {}});
  const ImageUnderTest busybox = image("app");
  try {
    driver.collect(busybox, {});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_class(), ExitClass::infra);
    EXPECT_EQ(std::string(e.what()), "kiln-probe in " + busybox.pinned +
                                         " under runc exited 1: runc run failed: unable to start container process\n");
  }
}

TEST_F(LocalDriverTest, AMissingProbeIsAnInfraErrorNamingWhereItLooked) {
  LocalDriver driver("/nonexistent/kiln-probe");
  try {
    driver.collect(image("app"), {});
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "the local driver needs kiln-probe, which is not at /nonexistent/kiln-probe");
  }
}

}  // namespace
}  // namespace kiln::verify
