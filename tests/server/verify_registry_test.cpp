// The verify step reads the image from the registry the build pushed to, with the build's way
// in: here a real docker-registry speaking TLS (a CA of its own) with Basic auth. The build
// gives the CA and the credentials; its verify step names neither, and passes.
#include <gtest/gtest.h>

#include "tests/server/server_fixture.h"
#include "tests/support/busybox_image.h"
#include "tests/support/files.h"

namespace kiln::testing {
namespace {

namespace fs = std::filesystem;

}  // namespace

TEST(ServerVerifyRegistry, TheVerifyStepUsesTheBuildsCaAndCredentials) {
  LocalRegistry registry(RegistryMode::htpasswd_tls);
  push_busybox_base(*registry.client(), {.repository = "base/busybox", .tag = "1"});
  TempDir work("kiln-server-verify-registry");
  const fs::path context = work.path() / "roots/app";
  fs::create_directories(context);
  fs::copy_file(KILN_HELLO_BINARY, context / "main");
  // kiln-server reads files only from the build's context: the CA too.
  fs::copy_file(registry.ca_file(), context / "registry-ca.pem");
  ServerProcess server(work.path() / "data", {.concurrency = 1, .context_roots = {work.path() / "roots"}});

  const Json build = {{"settings",
                       {{"repo", registry.host() + "/secure/app"},
                        {"base_image", registry.host() + "/base/busybox:1"},
                        {"binary", "main"},
                        {"tags", "v1"},
                        {"registry_certificate", "registry-ca.pem"},
                        {"username", registry.username()},
                        {"password", registry.password()}}},
                      {"context", context.string()},
                      {"verify", {{"binary", "main"}}}};
  const Json created = server.submit(build);
  // What the verify step got is shown, its password is not.
  EXPECT_EQ(created["verify_settings"]["registry_certificate"], "registry-ca.pem") << created.dump();
  EXPECT_EQ(created["verify_settings"]["username"], registry.username()) << created.dump();
  EXPECT_EQ(created.dump().find(registry.password()), std::string::npos);
  const Json done = server.wait_build(created["id"]);
  EXPECT_EQ(done["state"], "succeeded") << done.dump() << read_file(work.path() / "data/logs" / (created["id"].get<std::string>() + ".log"));
  EXPECT_EQ(done["has_report"], true);
  const std::string report = server.request("GET", "/v1/builds/" + created["id"].get<std::string>() + "/report").body;
  EXPECT_EQ(report.find("<failure"), std::string::npos) << report;
}

TEST(ServerVerifyRegistry, TheVerifyStepsOwnSettingsWin) {
  LocalRegistry registry(RegistryMode::htpasswd_tls);
  push_busybox_base(*registry.client(), {.repository = "base/busybox", .tag = "1"});
  TempDir work("kiln-server-verify-registry");
  const fs::path context = work.path() / "roots/app";
  fs::create_directories(context);
  fs::copy_file(KILN_HELLO_BINARY, context / "main");
  fs::copy_file(registry.ca_file(), context / "registry-ca.pem");
  ServerProcess server(work.path() / "data", {.concurrency = 1, .context_roots = {work.path() / "roots"}});
  const Json build = {{"settings",
                       {{"repo", registry.host() + "/secure/own"},
                        {"base_image", registry.host() + "/base/busybox:1"},
                        {"binary", "main"},
                        {"registry_certificate", "registry-ca.pem"},
                        {"username", registry.username()},
                        {"password", registry.password()}}},
                      {"context", context.string()},
                      {"verify", {{"binary", "main"}, {"username", "someone-else"}, {"password", "wrong"}}}};
  const Json created = server.submit(build);
  EXPECT_EQ(created["verify_settings"]["username"], "someone-else");
  const Json done = server.wait_build(created["id"]);
  // Built and pushed with the build's credentials; verified with the verify step's, which the registry refuses.
  EXPECT_EQ(done["state"], "failed") << done.dump();
  EXPECT_NE(done["message"].get<std::string>().find("but kiln-verify exited with 3"), std::string::npos) << done.dump();
}

}  // namespace kiln::testing
