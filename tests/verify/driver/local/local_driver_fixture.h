#pragma once
// The local driver's tests: a real docker-registry, a busybox image pushed to it, and commands
// for kiln-probe to run in it under runc.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "oci/credentials/credential.h"
#include "tests/support/local_registry.h"
#include "tests/verify/driver/test_image.h"
#include "tests/verify/driver/test_layers.h"

namespace kiln::verify::testing {

inline const std::vector<std::pair<std::string, std::string>> kBusyboxEnv{{"PATH", "/bin"}};

inline inspect::CommandQuery command(std::string id, std::vector<std::string> argv, double timeout = 20) {
  return {.id = std::move(id), .argv = std::move(argv), .env = kBusyboxEnv, .workdir = {}, .timeout_seconds = timeout};
}

/// busybox-static with the applets the tests use, a user "app" (1000:1000, also in group "extra"
/// 2000) whose home it owns.
inline std::string busybox_layer() {
  TarEntry home = dir("home/app");
  home.uid = 1000;
  home.gid = 1000;
  std::vector<TarEntry> entries{dir("bin"), file("bin/busybox", host_file("/bin/busybox"), 0755), dir("etc"),
                                file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n"),
                                file("etc/group", "root:x:0:\napp:x:1000:\nextra:x:2000:app\n"), dir("tmp", 01777),
                                dir("home"), home};
  for (const char* applet : {"sh", "cat", "id", "sleep", "echo", "touch", "true", "unshare", "dd", "stat", "nsenter"})
    entries.push_back(symlink(std::string("bin/") + applet, "busybox"));
  return write_tar(entries);
}

class LocalDriverTest : public ::testing::Test {
 protected:
  LocalDriverTest()
      : client_(registry_.host(), std::make_shared<oci::AnonymousKeychain>(), oci::RegistryOptions{.insecure = true}) {}
  /// The busybox image with `user` as its config's User ("" for none).
  ImageUnderTest image(const std::string& user) {
    return push_test_image(client_, "local/busybox", user.empty() ? "root" : user, {busybox_layer()},
                           {{"User", user}, {"Env", {"PATH=/bin"}}});
  }

  kiln::testing::LocalRegistry registry_;
  oci::RegistryClient client_;
};

}  // namespace kiln::verify::testing
