#include "oci/image/config_edit.h"

#include <gtest/gtest.h>

#include "oci/sha256.h"

namespace kiln::oci {
namespace {

const Digest layer_a = Sha256::of("a");
const Digest layer_b = Sha256::of("b");
const Digest new_layer = Sha256::of("new");

Json base_config() {
  return Json::parse(R"({
    "architecture": "amd64", "os": "linux",
    "config": {"Env": ["PATH=/usr/bin"], "Cmd": ["/bin/sh"], "Labels": {"a": "b"}, "User": "65532"},
    "container_config": {"Hostname": "legacy"},
    "rootfs": {"type": "layers", "diff_ids": [")" + layer_a.to_string() + R"(", ")" + layer_b.to_string() + R"("]},
    "history": [{"created_by": "ADD a"}, {"created_by": "ENV x", "empty_layer": true}, {"created_by": "ADD b"}]
  })");
}

}  // namespace

TEST(ConfigEdit, AppendsDiffIdAndHistoryWhenBaseHistoryIsConsistent) {
  const Json out = with_layer(base_config(), new_layer, {.created_by = "COPY main", .comment = "kiln"}, 86400);
  ASSERT_EQ(out["rootfs"]["diff_ids"].size(), 3u);
  EXPECT_EQ(out["rootfs"]["diff_ids"][2], new_layer.to_string());
  ASSERT_EQ(out["history"].size(), 4u);
  EXPECT_EQ(out["history"][3], Json::parse(R"({"created":"1970-01-02T00:00:00Z","created_by":"COPY main","comment":"kiln"})"));
  EXPECT_EQ(out["created"], "1970-01-02T00:00:00Z");
}

// A base without history (buildah --omit-history, Lambda bases) must stay without: one entry
// for three layers makes buildah and podman reject the image.
TEST(ConfigEdit, AddsNoHistoryWhenBaseHistoryDoesNotMatchLayers) {
  Json no_history = base_config();
  no_history.erase("history");
  EXPECT_FALSE(with_layer(no_history, new_layer, {.created_by = "x", .comment = ""}, 0).contains("history"));

  Json short_history = base_config();
  short_history["history"] = Json::array({Json{{"created_by", "ADD a"}}});
  EXPECT_EQ(with_layer(short_history, new_layer, {.created_by = "x", .comment = ""}, 0)["history"].size(), 1u);
}

TEST(ConfigEdit, KeepsFieldsItDoesNotModelAndTheirOrder) {
  const Json base = base_config();
  const Json out = with_entrypoint(with_layer(base, new_layer, {.created_by = "x", .comment = ""}, 0), "/usr/local/app",
                                   {"/usr/local/app/main"});
  EXPECT_EQ(out["container_config"], base["container_config"]);
  EXPECT_EQ(out["config"]["Env"], base["config"]["Env"]);
  EXPECT_EQ(out["config"]["Labels"], base["config"]["Labels"]);
  EXPECT_EQ(out["config"]["User"], "65532");
  std::vector<std::string> keys;
  for (auto it = out.begin(); it != out.end(); ++it) keys.push_back(it.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"architecture", "os", "config", "container_config", "rootfs", "history",
                                            "created"}));
}

TEST(ConfigEdit, SetsEntrypointAndWorkdirAndClearsInheritedCmd) {
  const Json out = with_entrypoint(base_config(), "/usr/local/app", {"/usr/local/app/main"});
  EXPECT_EQ(out["config"]["WorkingDir"], "/usr/local/app");
  EXPECT_EQ(out["config"]["Entrypoint"], Json::array({"/usr/local/app/main"}));
  EXPECT_FALSE(out["config"].contains("Cmd"));
}

TEST(ConfigEdit, InputIsNotChanged) {
  const Json base = base_config();
  const Json copy = base;
  (void)with_entrypoint(with_layer(base, new_layer, {.created_by = "x", .comment = ""}, 0), "/w", {"/w/m"});
  EXPECT_EQ(base, copy);
}

TEST(ConfigEdit, FormatsRfc3339) {
  EXPECT_EQ(rfc3339_utc(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(rfc3339_utc(1700000000), "2023-11-14T22:13:20Z");
}

}  // namespace kiln::oci
