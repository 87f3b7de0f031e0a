// What kiln-probe's container gets from what the machine supports, and what the log is told
// about each part it lacks.
#include "verify/driver/local/probe_sandbox.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace kiln::verify {
namespace {

const SandboxSupport kEverything{.no_user_namespace = "", .cgroup_namespace = true, .seccomp = true,
                                 .cgroup_v2 = false, .memory = true, .memory_swap = true, .pids = true};
const ProcessUser kApp{.uid = 1000, .gid = 1000, .additional_gids = {1000, 2000}};
const ProbeLimits kLimits{.memory_bytes = 512ull << 20, .pids = 1024};

TEST(ProbeSandbox, AMachineWithEverythingGetsEveryProtectionAndNoWarning) {
  const ProbeSandbox sandbox = probe_sandbox(kApp, kLimits, kEverything);
  EXPECT_TRUE(sandbox.warnings.empty());
  const ContainerSecurity& s = sandbox.security;
  EXPECT_EQ(s.user, kApp);
  EXPECT_EQ(s.user_namespace, kProbeIds);
  EXPECT_TRUE(s.capabilities.empty());
  EXPECT_TRUE(s.no_new_privileges && s.read_only_root && s.seccomp && s.cgroup_namespace && s.limit_swap);
  EXPECT_EQ(s.memory_bytes, 512ull << 20);
  EXPECT_EQ(s.pids, 1024);
  EXPECT_EQ(sandbox.summary,
            "kiln-probe's container: uid 1000 gid 1000, user namespace (image ids 0-1073741823 are host ids "
            "1073741824-2147483647), no capabilities, no_new_privileges, seccomp (Docker's default profile), memory "
            "512Mi, processes 1024, read-only root, network lo only");
}

TEST(ProbeSandbox, EachMissingPartIsLeftOutAndNamed) {
  SandboxSupport bare = kEverything;
  bare.no_user_namespace = "user namespaces are switched off (/proc/sys/user/max_user_namespaces is 0)";
  bare.seccomp = false;
  bare.memory = false;
  bare.pids = false;
  const ProbeSandbox sandbox = probe_sandbox(kApp, kLimits, bare);
  EXPECT_EQ(sandbox.security.user_namespace, std::nullopt);
  EXPECT_FALSE(sandbox.security.seccomp);
  EXPECT_EQ(sandbox.security.memory_bytes, std::nullopt);
  EXPECT_EQ(sandbox.security.pids, std::nullopt);
  EXPECT_EQ(sandbox.warnings,
            (std::vector<std::string>{
                "kiln-probe runs without a user namespace (user namespaces are switched off "
                "(/proc/sys/user/max_user_namespaces is 0)): the image's uid 1000 and gid 1000 are the same ids on "
                "this host",
                "kiln-probe runs without a seccomp filter: this kernel has no seccomp (/proc/self/status has no "
                "Seccomp line)",
                "kiln-probe's container has no memory limit: cgroup v1 has no memory controller here",
                "kiln-probe's container has no process limit: cgroup v1 has no pids controller here"}));
}

TEST(ProbeSandbox, SwapIsLeftAloneWhereTheKernelDoesNotAccountIt) {
  SandboxSupport no_swap = kEverything;
  no_swap.memory_swap = false;
  const ProbeSandbox sandbox = probe_sandbox(kApp, kLimits, no_swap);
  EXPECT_EQ(sandbox.security.memory_bytes, 512ull << 20);
  EXPECT_FALSE(sandbox.security.limit_swap);
  ASSERT_EQ(sandbox.warnings.size(), 1u);
  EXPECT_NE(sandbox.warnings[0].find("does not cover swap"), std::string::npos);
}

TEST(ProbeSandbox, LimitsNotAskedForAreNeitherSetNorWarnedAbout) {
  SandboxSupport bare = kEverything;
  bare.memory = bare.pids = false;
  const ProbeSandbox sandbox = probe_sandbox(kApp, {}, bare);
  EXPECT_TRUE(sandbox.warnings.empty());
  EXPECT_EQ(sandbox.security.memory_bytes, std::nullopt);
  EXPECT_EQ(sandbox.security.pids, std::nullopt);
}

TEST(ProbeSandbox, AUserBeyondTheMappedIdsIsAnInfraError) {
  try {
    probe_sandbox({.uid = 1u << 31, .gid = 0, .additional_gids = {}}, kLimits, kEverything);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_class(), ExitClass::infra);
    EXPECT_STREQ(e.what(), "the image's user 2147483648:0 uses id 2147483648, beyond the ids kiln-probe's user "
                           "namespace maps (0 to 1073741823)");
  }
  EXPECT_NO_THROW(probe_sandbox({.uid = 1u << 31, .gid = 0, .additional_gids = {}}, kLimits,
                                SandboxSupport{.no_user_namespace = "none here"}));
}

}  // namespace
}  // namespace kiln::verify
