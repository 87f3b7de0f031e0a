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
    // The binary is read from the build context, as kiln-server confines every path to it.
    std::filesystem::copy_file(KILN_HELLO_BINARY, context() / "main");
  }

  std::filesystem::path context() const { return work.path() / "context"; }

  /// A server on work/data that may build from directories below work/.
  ServerOptions server_options(int concurrency) const {
    return ServerOptions{.concurrency = concurrency, .context_roots = {work.path()}, .extra = {}};
  }

  Json settings(const std::string& repo, const Json& tags) const {
    return Json{{"repo", registry.host() + "/" + repo},
                {"base_image", registry.host() + "/base/busybox:1"},
                {"binary", "main"},
                {"insecure", true},
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
