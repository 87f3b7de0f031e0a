#include "verify/driver/runc_bundle.h"

#include <gtest/gtest.h>

namespace kiln::verify {
namespace {

const nlohmann::json kConfig = runc_config({.probe = "/opt/kiln/kiln-probe", .request = "/tmp/b/request.json",
                                            .user = {.uid = 1000, .gid = 1001, .additional_gids = {1001, 2000}},
                                            .env = {"PATH=/bin"}, .rootfs = "rootfs"});

const nlohmann::json* mount_at(const std::string& destination) {
  for (const auto& m : kConfig["mounts"])
    if (m["destination"] == destination) return &m;
  return nullptr;
}

TEST(RuncBundle, RunsTheProbeAsTheImagesUserWithNothingToSpare) {
  const auto& process = kConfig["process"];
  EXPECT_EQ(process["args"], nlohmann::json({"/.kiln/kiln-probe", "check", "--request", "/.kiln/request.json"}));
  EXPECT_EQ(process["user"], nlohmann::json::parse(R"({"uid":1000,"gid":1001,"additionalGids":[1001,2000]})"));
  EXPECT_EQ(process["env"], nlohmann::json({"PATH=/bin"}));
  EXPECT_FALSE(process["terminal"]);
  EXPECT_TRUE(process["noNewPrivileges"]);
  for (const char* set : {"bounding", "effective", "permitted", "inheritable", "ambient"})
    EXPECT_EQ(process["capabilities"][set], nlohmann::json::array()) << set;
  EXPECT_TRUE(kConfig["root"]["readonly"]);
  EXPECT_EQ(kConfig["root"]["path"], "rootfs");
}

TEST(RuncBundle, MountsOnlyWhatTheProbeNeedsReadOnly) {
  ASSERT_TRUE(mount_at("/.kiln/kiln-probe"));
  EXPECT_EQ((*mount_at("/.kiln/kiln-probe"))["source"], "/opt/kiln/kiln-probe");
  EXPECT_EQ((*mount_at("/.kiln/kiln-probe"))["options"], nlohmann::json({"bind", "ro", "nosuid", "nodev"}));
  ASSERT_TRUE(mount_at("/.kiln/request.json"));
  EXPECT_EQ((*mount_at("/.kiln/request.json"))["source"], "/tmp/b/request.json");
  ASSERT_TRUE(mount_at("/tmp"));
  EXPECT_EQ((*mount_at("/tmp"))["type"], "tmpfs");
  ASSERT_TRUE(mount_at("/proc"));
  ASSERT_TRUE(mount_at("/dev"));
  EXPECT_FALSE(mount_at("/sys")) << "nothing the checks need";
  EXPECT_EQ(kConfig["mounts"].size(), 5u);
}

TEST(RuncBundle, HasItsOwnNetworkNamespaceAndNoDevices) {
  bool network = false;
  for (const auto& ns : kConfig["linux"]["namespaces"]) {
    network = network || ns["type"] == "network";
    EXPECT_FALSE(ns.contains("path")) << "new namespaces, never joined ones";
  }
  EXPECT_TRUE(network);
  EXPECT_EQ(kConfig["linux"]["resources"]["devices"], nlohmann::json::parse(R"([{"allow":false,"access":"rwm"}])"));
}

}  // namespace
}  // namespace kiln::verify
