#include "verify/driver/local/runc_bundle.h"

#include <gtest/gtest.h>

#include "verify/driver/local/probe_sandbox.h"

namespace kiln::verify {
namespace {

using nlohmann::json;

ContainerSecurity confined() {
  return {.user = {.uid = 1000, .gid = 1001, .additional_gids = {1001, 2000}},
          .capabilities = {},
          .user_namespace = kProbeIds,
          .memory_bytes = 256ull << 20,
          .pids = 64};
}

json config_with(ContainerSecurity security) {
  return runc_config({.probe = "/opt/kiln/kiln-probe", .request = "/tmp/b/request.json", .env = {"PATH=/bin"},
                      .rootfs = "rootfs", .security = std::move(security)});
}

const json kBundleConfig = config_with(confined());

const json* mount_at(const json& config, const std::string& destination) {
  for (const auto& m : config["mounts"])
    if (m["destination"] == destination) return &m;
  return nullptr;
}

bool has_namespace(const json& config, const std::string& type) {
  for (const auto& ns : config["linux"]["namespaces"]) {
    EXPECT_FALSE(ns.contains("path")) << "new namespaces, never joined ones";
    if (ns["type"] == type) return true;
  }
  return false;
}

TEST(RuncBundle, RunsTheProbeAsTheImagesUserWithNothingToSpare) {
  const auto& process = kBundleConfig["process"];
  EXPECT_EQ(process["args"], json({"/.kiln/kiln-probe", "check", "--request", "/.kiln/request.json", "--cgroup",
                                   "/.kiln/cgroup"}));
  EXPECT_EQ(process["user"], json::parse(R"({"uid":1000,"gid":1001,"additionalGids":[1001,2000]})"));
  EXPECT_EQ(process["env"], json({"PATH=/bin"}));
  EXPECT_FALSE(process["terminal"]);
  EXPECT_TRUE(process["noNewPrivileges"]);
  for (const char* set : {"bounding", "effective", "permitted", "inheritable", "ambient"})
    EXPECT_EQ(process["capabilities"][set], json::array()) << set;
  EXPECT_TRUE(kBundleConfig["root"]["readonly"]);
  EXPECT_EQ(kBundleConfig["root"]["path"], "rootfs");
}

TEST(RuncBundle, MountsOnlyWhatTheProbeNeedsReadOnly) {
  ASSERT_TRUE(mount_at(kBundleConfig, "/.kiln/kiln-probe"));
  EXPECT_EQ((*mount_at(kBundleConfig, "/.kiln/kiln-probe"))["source"], "/opt/kiln/kiln-probe");
  EXPECT_EQ((*mount_at(kBundleConfig, "/.kiln/kiln-probe"))["options"], json({"bind", "ro", "nosuid", "nodev"}));
  ASSERT_TRUE(mount_at(kBundleConfig, "/.kiln/request.json"));
  EXPECT_EQ((*mount_at(kBundleConfig, "/.kiln/request.json"))["source"], "/tmp/b/request.json");
  ASSERT_TRUE(mount_at(kBundleConfig, "/tmp"));
  EXPECT_EQ((*mount_at(kBundleConfig, "/tmp"))["type"], "tmpfs");
  ASSERT_TRUE(mount_at(kBundleConfig, "/proc"));
  ASSERT_TRUE(mount_at(kBundleConfig, "/dev"));
  ASSERT_TRUE(mount_at(kBundleConfig, "/.kiln/cgroup")) << "the probe reads its out-of-memory count there";
  EXPECT_EQ((*mount_at(kBundleConfig, "/.kiln/cgroup"))["options"], json({"ro", "nosuid", "nodev", "noexec"}));
  EXPECT_FALSE(mount_at(kBundleConfig, "/sys")) << "nothing the checks need";
  EXPECT_EQ(kBundleConfig["mounts"].size(), 6u);
}

TEST(RuncBundle, HasItsOwnNamespacesIdsLimitsAndNoDevices) {
  for (const char* type : {"pid", "network", "ipc", "uts", "mount", "user", "cgroup"})
    EXPECT_TRUE(has_namespace(kBundleConfig, type)) << type;
  const json mapping = json::parse(R"([{"containerID":0,"hostID":1073741824,"size":1073741824}])");
  EXPECT_EQ(kBundleConfig["linux"]["uidMappings"], mapping);
  EXPECT_EQ(kBundleConfig["linux"]["gidMappings"], mapping);
  const json& resources = kBundleConfig["linux"]["resources"];
  EXPECT_EQ(resources["devices"], json::parse(R"([{"allow":false,"access":"rwm"}])"));
  EXPECT_EQ(resources["memory"], json::parse(R"({"limit":268435456,"swap":268435456})"));
  EXPECT_EQ(resources["pids"], json::parse(R"({"limit":64})"));
}

TEST(RuncBundle, FiltersSyscallsWithDockersProfileForItsCapabilities) {
  const json& seccomp = kBundleConfig["linux"]["seccomp"];
  EXPECT_EQ(seccomp["defaultAction"], "SCMP_ACT_ERRNO");
  EXPECT_FALSE(seccomp["architectures"].empty());
  EXPECT_FALSE(seccomp["syscalls"].empty());
  // The profile follows the capabilities, as Docker's does: one with CAP_SYS_ADMIN may mount.
  ContainerSecurity admin = confined();
  admin.capabilities = {"CAP_SYS_ADMIN"};
  const json with_admin = config_with(admin);
  EXPECT_EQ(with_admin["process"]["capabilities"]["bounding"], json({"CAP_SYS_ADMIN"}));
  EXPECT_EQ(with_admin["process"]["capabilities"]["inheritable"], json::array());
  EXPECT_GT(with_admin["linux"]["seccomp"].dump().size(), seccomp.dump().size());
}

TEST(RuncBundle, LeavesOutWhatTheSecurityDoesNotAskFor) {
  ContainerSecurity open = confined();
  open.user_namespace.reset();
  open.cgroup_namespace = false;
  open.seccomp = false;
  open.memory_bytes.reset();
  open.pids.reset();
  const json config = config_with(open);
  EXPECT_FALSE(has_namespace(config, "user"));
  EXPECT_FALSE(has_namespace(config, "cgroup"));
  EXPECT_FALSE(config["linux"].contains("uidMappings"));
  EXPECT_FALSE(config["linux"].contains("seccomp"));
  EXPECT_FALSE(config["linux"]["resources"].contains("memory"));
  EXPECT_FALSE(config["linux"]["resources"].contains("pids"));
  EXPECT_FALSE(mount_at(config, "/.kiln/cgroup"));
  EXPECT_EQ(config["process"]["args"].size(), 4u) << "no --cgroup without a memory limit to count";
  open.memory_bytes = 1 << 30;
  open.limit_swap = false;
  EXPECT_EQ(config_with(open)["linux"]["resources"]["memory"], json::parse(R"({"limit":1073741824})"));
}

// containerRunOptions in the bundle: Docker's --privileged view (every capability, no seccomp,
// unmasked /proc, a /sys), capabilities with seccomp opened for them, bind mounts, a writable root.
TEST(RuncBundle, PrivilegedIsDockersPrivilegedInsideTheUserNamespace) {
  ProbeSandbox sandbox{.security = confined()};
  apply_container_options(sandbox, {.privileged = true, .writable_root = true, .origin = "cst.yaml:3: containerRunOptions"});
  const json config = config_with(sandbox.security);
  EXPECT_EQ(config["process"]["capabilities"]["bounding"].size(), all_capabilities().size());
  EXPECT_EQ(config["process"]["noNewPrivileges"], false);
  EXPECT_FALSE(config["linux"].contains("seccomp"));
  EXPECT_FALSE(config["linux"].contains("maskedPaths"));
  EXPECT_FALSE(config["linux"].contains("readonlyPaths"));
  EXPECT_NE(mount_at(config, "/sys"), nullptr);
  EXPECT_EQ(config["root"]["readonly"], false);
  EXPECT_TRUE(has_namespace(config, "user")) << "privileged stays inside the probe's user namespace";
  EXPECT_NE(sandbox.summary.find("cst.yaml:3: containerRunOptions: privileged"), std::string::npos) << sandbox.summary;
}

TEST(RuncBundle, CapabilitiesReplaceTheEmptySetAndBindMountsAreMounted) {
  ProbeSandbox sandbox{.security = confined()};
  apply_container_options(sandbox, {.capabilities = std::vector<std::string>{"CAP_SYS_ADMIN"}});
  json config = runc_config({.probe = "/opt/kiln/kiln-probe", .request = "/tmp/b/request.json", .env = {},
                             .rootfs = "rootfs", .security = sandbox.security,
                             .bind_mounts = {{.host = "/srv/data", .container = "/data", .read_only = true}}});
  EXPECT_EQ(config["process"]["capabilities"]["effective"], json::array({"CAP_SYS_ADMIN"}));
  EXPECT_TRUE(config["linux"].contains("seccomp"));
  EXPECT_TRUE(config["linux"].contains("maskedPaths"));
  EXPECT_EQ(config["root"]["readonly"], true);
  EXPECT_EQ(mount_at(config, "/sys"), nullptr);
  const json* data = mount_at(config, "/data");
  ASSERT_NE(data, nullptr);
  EXPECT_EQ((*data)["source"], "/srv/data");
  EXPECT_EQ((*data)["options"], json::array({"rbind", "nosuid", "nodev", "ro"}));
}

}  // namespace
}  // namespace kiln::verify
