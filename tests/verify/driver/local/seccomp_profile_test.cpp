// Docker's default seccomp profile resolved as moby's setupSeccomp resolves it: the rules kept
// depend on the architecture, the container's capabilities and the kernel.
#include "verify/driver/local/seccomp_profile.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>

namespace kiln::verify {
namespace {

using nlohmann::json;

// Every name an unconditional (argument-free) ALLOW rule lets through.
std::set<std::string> allowed(const json& resolved) {
  std::set<std::string> names;
  for (const json& rule : resolved["syscalls"])
    if (rule["action"] == "SCMP_ACT_ALLOW" && !rule.contains("args"))
      for (const json& name : rule["names"]) names.insert(name.get<std::string>());
  return names;
}

const json* rule_for(const json& resolved, const std::string& name, const std::string& action) {
  for (const json& rule : resolved["syscalls"])
    if (rule["action"] == action)
      for (const json& n : rule["names"])
        if (n == name) return &rule;
  return nullptr;
}

json resolve(const std::string& arch, std::vector<std::string> caps, int major = 6, int minor = 1) {
  return resolve_seccomp_profile(docker_default_seccomp_profile(),
                                 {.architecture = arch, .capabilities = std::move(caps), .kernel_major = major,
                                  .kernel_minor = minor});
}

TEST(SeccompProfile, TheCompiledInProfileIsTheFileInTheTree) {
  std::ifstream in(KILN_SOURCE_DIR "/verify/driver/local/seccomp/docker-default.json");
  EXPECT_EQ(docker_default_seccomp_profile(), json::parse(in));
  EXPECT_EQ(docker_default_seccomp_profile()["defaultAction"], "SCMP_ACT_ERRNO");
}

TEST(SeccompProfile, WithoutCapabilitiesNamespaceAndKernelKeyringCallsAreRefused) {
  const json resolved = resolve("amd64", {});
  EXPECT_EQ(resolved["defaultAction"], "SCMP_ACT_ERRNO");
  EXPECT_EQ(resolved["defaultErrnoRet"], 1) << "EPERM";
  EXPECT_EQ(resolved["architectures"], json({"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"}));
  EXPECT_FALSE(resolved.contains("archMap"));
  const auto names = allowed(resolved);
  for (const char* everyday : {"read", "write", "execve", "fork", "wait4", "openat", "mmap", "arch_prctl", "ptrace"})
    EXPECT_TRUE(names.contains(everyday)) << everyday;
  for (const char* refused : {"unshare", "mount", "umount2", "keyctl", "add_key", "request_key", "bpf", "setns",
                              "pivot_root", "init_module", "reboot", "perf_event_open", "userfaultfd", "chroot"})
    EXPECT_FALSE(names.contains(refused)) << refused;
  // clone only without namespace flags; clone3 (whose flags seccomp cannot see) says ENOSYS so
  // libc falls back to clone.
  const json* clone = rule_for(resolved, "clone", "SCMP_ACT_ALLOW");
  ASSERT_TRUE(clone);
  EXPECT_EQ((*clone)["args"], json::parse(R"([{"index":0,"value":2114060288,"op":"SCMP_CMP_MASKED_EQ"}])"));
  const json* clone3 = rule_for(resolved, "clone3", "SCMP_ACT_ERRNO");
  ASSERT_TRUE(clone3);
  EXPECT_EQ((*clone3)["errnoRet"], 38);
  for (const json& rule : resolved["syscalls"]) {
    EXPECT_FALSE(rule.contains("includes") || rule.contains("excludes") || rule.contains("comment")) << rule.dump();
    EXPECT_TRUE(rule.contains("names") && rule.contains("action")) << rule.dump();
  }
}

TEST(SeccompProfile, CapabilitiesBringTheirCallsBackAsInDocker) {
  const json resolved = resolve("amd64", {"CAP_SYS_ADMIN", "CAP_SYS_PTRACE"});
  const auto names = allowed(resolved);
  for (const char* back : {"mount", "unshare", "setns", "bpf", "clone", "clone3", "kcmp", "process_vm_readv"})
    EXPECT_TRUE(names.contains(back)) << back;
  EXPECT_FALSE(rule_for(resolved, "clone3", "SCMP_ACT_ERRNO")) << "dropped: CAP_SYS_ADMIN excludes it";
  EXPECT_FALSE(names.contains("reboot")) << "CAP_SYS_BOOT was not given";
}

TEST(SeccompProfile, ArchitectureAndKernelChooseRules) {
  const json arm = resolve("arm64", {});
  EXPECT_EQ(arm["architectures"], json({"SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"}));
  EXPECT_TRUE(allowed(arm).contains("arm_fadvise64_64"));
  EXPECT_FALSE(allowed(arm).contains("arch_prctl")) << "amd64 and x32 only";
  EXPECT_FALSE(allowed(resolve("amd64", {}, 4, 4)).contains("ptrace")) << "allowed from kernel 4.8 on";
  EXPECT_TRUE(allowed(resolve("amd64", {}, 4, 8)).contains("ptrace"));
}

TEST(SeccompProfile, AProfileThatIsNotOneIsAnError) {
  EXPECT_THROW(resolve_seccomp_profile(json::array(), {}), std::exception);
  EXPECT_THROW(resolve_seccomp_profile(json::parse(R"({"archMap":[],"architectures":[],"syscalls":[]})"), {}),
               std::exception);
}

}  // namespace
}  // namespace kiln::verify
