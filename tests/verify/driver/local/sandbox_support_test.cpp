// What the local driver finds this machine lets runc do, read from /proc and the cgroup mount
// as runc reads them; fake trees stand in for kernels that lack a feature.
#include "verify/driver/local/sandbox_support.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "core/temp_dir.h"

namespace kiln::verify {
namespace {

namespace fs = std::filesystem;

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

// A /proc with `cgroups` listing memory and pids (enabled or not) and the files the checks read.
struct FakeMachine {
  TempDir dir{"kiln-fake-machine"};
  fs::path proc() const { return dir.path() / "proc"; }
  fs::path cgroup() const { return dir.path() / "cgroup"; }
  FakeMachine(bool memory, bool pids, bool swap) {
    write(proc() / "cgroups", std::string("#subsys_name\thierarchy\tnum_cgroups\tenabled\nmemory\t4\t1\t") +
                                  (memory ? "1" : "0") + "\npids\t8\t1\t" + (pids ? "1" : "0") + "\n");
    write(proc() / "self/status", "Name:\tkiln\nSeccomp:\t0\n");
    write(proc() / "self/ns/user", "");
    write(proc() / "sys/user/max_user_namespaces", "0\n");
    write(cgroup() / "memory/memory.limit_in_bytes", "9223372036854771712\n");
    if (swap) write(cgroup() / "memory/memory.memsw.limit_in_bytes", "9223372036854771712\n");
    write(cgroup() / "pids/cgroup.procs", "");
  }
};

TEST(SandboxSupport, ReadsCgroupV1ControllersAndSwapAccounting) {
  const FakeMachine all(true, true, true);
  const SandboxSupport support = detect_sandbox_support(all.proc(), all.cgroup());
  EXPECT_FALSE(support.cgroup_v2);
  EXPECT_TRUE(support.memory);
  EXPECT_TRUE(support.memory_swap);
  EXPECT_TRUE(support.pids);
  EXPECT_TRUE(support.seccomp);
  EXPECT_FALSE(support.cgroup_namespace);

  const FakeMachine none(false, false, false);
  const SandboxSupport lacking = detect_sandbox_support(none.proc(), none.cgroup());
  EXPECT_FALSE(lacking.memory);
  EXPECT_FALSE(lacking.memory_swap);
  EXPECT_FALSE(lacking.pids);
}

TEST(SandboxSupport, SaysWhyThereIsNoUserNamespace) {
  if (::geteuid() != 0) GTEST_SKIP() << "the checks past the first need root";
  const FakeMachine off(true, true, true);
  EXPECT_EQ(detect_sandbox_support(off.proc(), off.cgroup()).no_user_namespace,
            "user namespaces are switched off (/proc/sys/user/max_user_namespaces is 0)");
  fs::remove(off.proc() / "self/ns/user");
  EXPECT_EQ(detect_sandbox_support(off.proc(), off.cgroup()).no_user_namespace,
            "the kernel has no user namespaces (CONFIG_USER_NS)");
}

// This machine, as the other tests of the local driver rely on it: what runc is given must be
// what the kernel has.
TEST(SandboxSupport, ThisMachine) {
  const SandboxSupport& support = sandbox_support();
  RecordProperty("user_namespace", support.no_user_namespace.empty() ? "yes" : support.no_user_namespace);
  RecordProperty("cgroup", support.cgroup_v2 ? "v2" : "v1");
  EXPECT_EQ(support.seccomp, fs::exists("/proc/self/status") &&
                                 [] {
                                   std::ifstream in("/proc/self/status");
                                   for (std::string line; std::getline(in, line);)
                                     if (line.starts_with("Seccomp:")) return true;
                                   return false;
                                 }());
  EXPECT_EQ(support.cgroup_namespace, fs::exists("/proc/self/ns/cgroup"));
  if (::geteuid() == 0 && fs::exists("/proc/self/ns/user")) {
    EXPECT_TRUE(support.no_user_namespace.empty() || support.no_user_namespace.starts_with("the kernel refused one"))
        << support.no_user_namespace;
  }
}

}  // namespace
}  // namespace kiln::verify
