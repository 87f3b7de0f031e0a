#pragma once
// What the build tests share: a real docker-registry holding the busybox base, and the settings
// of the demo build (the static hello binary on that base, pushed natively by kiln-plugin).
#include <filesystem>
#include <string>

#include "core/temp_dir.h"
#include "oci/json.h"
#include "tests/server/server_fixture.h"
#include "tests/support/busybox_image.h"
#include "tests/support/local_registry.h"
#include "tests/support/tools.h"

namespace kiln::testing {

class BuildEnv {
 public:
  BuildEnv() {
    push_busybox_base(*registry.client(), {.repository = "base/busybox", .tag = "1"});
    std::filesystem::create_directories(context());
  }

  std::filesystem::path context() const { return work.path() / "context"; }

  Json settings(const std::string& repo, const Json& tags) const {
    return Json{{"repo", registry.host() + "/" + repo},
                {"base_image", registry.host() + "/base/busybox:1"},
                {"binary", KILN_HELLO_BINARY},
                {"insecure", true},
                {"layer_cache_dir", (work.path() / "layer-cache").string()},
                {"tags", tags}};
  }

  Json build(const std::string& repo, const Json& tags) const {
    return Json{{"settings", settings(repo, tags)}, {"context", context().string()}};
  }

  /// The digest skopeo (not kiln) reads for repo:tag.
  std::string skopeo_digest(const std::string& repo, const std::string& tag) const {
    const auto info = Json::parse(run_ok({"skopeo", "inspect", "--tls-verify=false", "docker://" + registry.host() + "/" + repo + ":" + tag}));
    return info["Digest"];
  }

  LocalRegistry registry;
  TempDir work{"kiln-server-test"};
};

}  // namespace kiln::testing
