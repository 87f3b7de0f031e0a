// A client reads no file of the server outside its build's context: not through a path setting
// (absolute, "..", or a symlink in the context), not through a file kiln-plugin reads by default,
// not by naming a server directory outside context_roots. A real kiln-server is asked; a 0600
// file beside the context is the secret that used to come back in a build's message.
#include <gtest/gtest.h>

#include <fstream>

#include "tests/server/server_fixture.h"
#include "tests/support/files.h"

namespace kiln::testing {
namespace {

namespace fs = std::filesystem;
constexpr const char* kSecret = "top-secret-3f9d0c-not-for-clients";

class ServerConfinement : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir("kiln-server-confine");
    const fs::path root = dir_->path() / "roots";
    fs::create_directories(root / "app/sub");
    std::ofstream(secret()) << kSecret << "\n";
    fs::permissions(secret(), fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
    std::ofstream(root / "app/Dockerfile") << "FROM scratch\n";
    std::ofstream(root / "app/main") << "binary";
    fs::create_symlink(secret(), root / "app/leak");
    fs::create_symlink("../../secret", root / "app/sub/leak-relative");
    fs::create_symlink(dir_->path(), root / "app/up");
    // A context whose default files are symlinks out of it.
    fs::create_directories(root / "defaults");
    fs::create_symlink(secret(), root / "defaults/Dockerfile");
    fs::create_directories(root / "dottags");
    std::ofstream(root / "dottags/Dockerfile") << "FROM scratch\n";
    fs::create_symlink(secret(), root / "dottags/.tags");
    server_ = new ServerProcess(dir_->path() / "data", {.context_roots = {root}});
  }
  static void TearDownTestSuite() {
    delete server_;
    delete dir_;
  }
  static fs::path secret() { return dir_->path() / "secret"; }
  static std::string app() { return (dir_->path() / "roots/app").string(); }

  // Submits and expects a 400 whose message starts with `error`; the secret is never in it.
  static void expect_refused(const Json& body, const std::string& error) {
    const HttpReply r = server_->request("POST", "/v1/builds", body.dump());
    EXPECT_EQ(r.status, 400) << body.dump() << "\n" << r.body;
    const std::string message = r.json().value("error", "");
    EXPECT_EQ(message.rfind(error, 0), 0u) << "expected: " << error << "\n     got: " << message;
    EXPECT_EQ(r.body.find(kSecret), std::string::npos);
  }
  static Json with(const Json& settings, const std::string& context = app()) {
    Json all = {{"repo", "127.0.0.1:1/x"}};
    if (!settings.is_null()) all.update(settings);
    return Json{{"settings", all}, {"context", context}};
  }

  static TempDir* dir_;
  static ServerProcess* server_;
};
TempDir* ServerConfinement::dir_ = nullptr;
ServerProcess* ServerConfinement::server_ = nullptr;

}  // namespace

TEST_F(ServerConfinement, PathSettingsLeadingOutOfTheContextAreRefused) {
  const std::string s = secret().string();
  // Before: kiln-plugin read the file and its first line came back in the build's message.
  expect_refused(with({{"dockerfile", s}}), "settings.dockerfile: '" + s + "' is outside the build context");
  expect_refused(with({{"dockerfile", "../../secret"}}), "settings.dockerfile: '../../secret' is outside the build context");
  expect_refused(with({{"dockerfile", "leak"}}), "settings.dockerfile: 'leak' is outside the build context");
  expect_refused(with({{"dockerfile", "sub/leak-relative"}}), "settings.dockerfile: 'sub/leak-relative' is outside");
  expect_refused(with({{"dockerfile", "up/secret"}}), "settings.dockerfile: 'up/secret' is outside");
  expect_refused(with({{"tags_file", "leak"}}), "settings.tags_file: 'leak' is outside the build context");
  expect_refused(with({{"binary", "linux/amd64=" + s}}), "settings.binary: '" + s + "' is outside");
  expect_refused(with({{"binary", Json::array({"linux/amd64=main", "linux/arm64=leak"})}}), "settings.binary: 'leak' is outside");
  expect_refused(with({{"registry_certificate", "registry.example.com=" + s}}), "settings.registry_certificate: '" + s + "'");
  expect_refused(with({{"registry_client_cert", Json::array({"registry.example.com=main,leak"})}}),
                 "settings.registry_client_cert: 'leak' is outside");
  expect_refused(with({{"secrets", "id=key,src=leak"}}), "settings.secrets: 'leak' is outside");
  expect_refused(with({{"secrets_from_file", "key=" + s}}), "settings.secrets_from_file: '" + s + "' is outside");
  expect_refused(with({{"source_tar_path", "leak"}}), "settings.source_tar_path: 'leak' is outside");
  expect_refused(with({{"cache_dir", "/"}}), "settings.cache_dir: '/' is outside");
  expect_refused(with({{"context", "/"}}), "settings.context: '/' is outside");
  expect_refused(with({{"context", "sub"}, {"context_sub_path", "../../.."}}), "settings.context_sub_path: '../../..' is outside");
  expect_refused(with({{"context", "s3://bucket/app.tar.gz"}}), "settings.context: 's3://bucket/app.tar.gz' is a URL");
  // kiln-verify's files the same.
  for (const char* name : {"config", "binary", "digest_file", "image_file", "dotenv_file", "oci_layout", "registry_certificate"}) {
    Json body = with({});
    body["verify"] = {{name, s}};
    expect_refused(body, std::string("verify.") + name + ": '" + s + "' is outside the build context");
  }
  // Inside the context, all of these are fine.
  EXPECT_EQ(server_->request("POST", "/v1/builds", with({{"dockerfile", "sub/../Dockerfile"}, {"binary", "main"}}).dump()).status, 201);
}

TEST_F(ServerConfinement, FilesReadByDefaultMustNotLeadOutEither) {
  const std::string root = (dir_->path() / "roots").string();
  expect_refused(with({}, root + "/defaults"), "settings.dockerfile: the default 'Dockerfile' is outside the build context");
  expect_refused(with({}, root + "/dottags"), "settings.tags_file: the default '.tags' is outside the build context");
}

TEST_F(ServerConfinement, ServerDirectoriesOnlyBelowContextRoots) {
  expect_refused(with({}, "/etc"), "context: '/etc' is not below a directory of context_roots");
  expect_refused(with({}, dir_->path().string()), "context: '" + dir_->path().string() + "' is not below");
  expect_refused(with({}, app() + "/up"), "context: '" + app() + "/up' is not below");           // a symlink out of the root
  expect_refused(with({}, app() + "/../../data"), "context: '" + app() + "/../../data' is not below");
  expect_refused(with({}, "ctx-0000"), "context: no uploaded context 'ctx-0000'");
  expect_refused(with({}, "relative/dir"), "context: 'relative/dir' must be an absolute path");
  expect_refused(with({}, app() + "/missing"), "context: '" + app() + "/missing' is not a directory on the server");
  EXPECT_EQ(server_->request("POST", "/v1/builds", with({}).dump()).status, 201);
}

TEST(ServerContextRoots, WithoutContextRootsOnlyUploadsAreContexts) {
  TempDir dir("kiln-server-uploads-only");
  fs::create_directories(dir.path() / "app");
  std::ofstream(dir.path() / "app/Dockerfile") << "FROM scratch\n";
  ServerProcess server(dir.path() / "data");
  const Json named = {{"settings", {{"repo", "127.0.0.1:1/x"}}}, {"context", (dir.path() / "app").string()}};
  const HttpReply r = server.request("POST", "/v1/builds", named.dump());
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.json()["error"], "context: '" + (dir.path() / "app").string() +
                                   "': this server builds only uploaded contexts (POST /v1/contexts); its context_roots names "
                                   "no directory a build may use");
  const std::string tar = run_process({"tar", "-C", (dir.path() / "app").string(), "-cf", "-", "Dockerfile"}).out;
  const HttpReply up = server.request("POST", "/v1/contexts", tar, kToken, "application/x-tar");
  ASSERT_EQ(up.status, 201) << up.body;
  const Json uploaded = {{"settings", {{"repo", "127.0.0.1:1/x"}}}, {"context", up.json()["id"]}};
  EXPECT_EQ(server.request("POST", "/v1/builds", uploaded.dump()).status, 201);
}

TEST(ServerContextRoots, AContextThatChangesAfterSubmissionIsCheckedAgainBeforeItRuns) {
  TempDir dir("kiln-server-recheck");
  fs::create_directories(dir.path() / "roots/app");
  std::ofstream(dir.path() / "secret") << kSecret << "\n";
  std::ofstream(dir.path() / "roots/app/Dockerfile") << "FROM scratch\n";
  // A stand-in kiln-plugin that keeps the only worker busy for a while, and marks each run.
  const auto plugin = dir.path() / "plugin.sh";
  std::ofstream(plugin) << "#!/bin/sh\necho run >> " << (dir.path() / "runs").string() << "\nsleep 2\nexit 1\n";
  fs::permissions(plugin, fs::perms::owner_all);
  ServerProcess server(dir.path() / "data", {.concurrency = 1, .context_roots = {dir.path() / "roots"},
                                              .extra = {{"plugin_binary", plugin.string()}}});
  const Json body = {{"settings", {{"repo", "127.0.0.1:1/x"}, {"dockerfile", "Dockerfile"}}},
                     {"context", (dir.path() / "roots/app").string()}};
  const std::string first = server.submit(body)["id"];
  const std::string second = server.submit(body)["id"];
  // While the first runs, the second's Dockerfile becomes a symlink to the secret.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!fs::exists(dir.path() / "runs") && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_TRUE(fs::exists(dir.path() / "runs")) << "the first build never started";
  fs::remove(dir.path() / "roots/app/Dockerfile");
  fs::create_symlink(dir.path() / "secret", dir.path() / "roots/app/Dockerfile");
  const Json done = server.wait_build(second, std::chrono::seconds(30));
  EXPECT_EQ(done["state"], "failed");
  EXPECT_EQ(done["message"], "settings.dockerfile: 'Dockerfile' is outside the build context (after '..' and symlinks)");
  EXPECT_EQ(server.wait_build(first)["state"], "failed");
  EXPECT_EQ(read_file(dir.path() / "runs"), "run\n") << "the stand-in ran for the first build only";
}

}  // namespace kiln::testing
