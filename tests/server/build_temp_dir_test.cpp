// Each build's temporary files live in its own private directory under the data dir, which
// kiln-server removes when the build ends — also when it is cancelled, and at the next start
// when the server (and with it the build) was killed with SIGKILL. A stand-in kiln-plugin
// writes what the real one writes for the executor (a merged config.json with the password)
// into its TMPDIR, then waits, ignoring SIGTERM: the worst case the server must clean up after.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "tests/server/server_fixture.h"
#include "tests/support/files.h"

namespace kiln::testing {
namespace {

namespace fs = std::filesystem;
constexpr const char* kPassword = "pw-temp-dir-5e1a7c";

// Writes $TMPDIR/kiln-docker-config-<pid>/config.json holding $PLUGIN_PASSWORD, says where,
// then sleeps (bounded) through SIGTERM.
fs::path temp_dir_stand_in_plugin(const fs::path& dir) {
  const auto script = dir / "kiln-plugin-stand-in.sh";
  std::ofstream(script) << "#!/bin/sh\n"
                           "trap '' TERM\n"
                           "config=\"$TMPDIR/kiln-docker-config-$$\"\n"
                           "mkdir -m 700 \"$config\" || exit 3\n"
                           "printf '{\"auths\":{\"r.example\":{\"password\":\"%s\"}}}' \"$PLUGIN_PASSWORD\" > \"$config/config.json\"\n"
                           "echo \"credentials in $config\"\n"
                           "exec sleep 30\n";
  fs::permissions(script, fs::perms::owner_all);
  return script;
}

// The config.json files below `dir` that hold the password.
std::vector<fs::path> credential_files(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
    if (it->path().filename() == "config.json" && read_file(it->path()).find(kPassword) != std::string::npos) out.push_back(it->path());
  return out;
}

// Waits (bounded) until every build in `ids` has written its credentials; returns their files.
std::vector<fs::path> wait_for_credentials(const fs::path& data, std::size_t count) {
  std::vector<fs::path> files;
  for (const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
       std::chrono::steady_clock::now() < until && files.size() < count; std::this_thread::sleep_for(std::chrono::milliseconds(50)))
    files = credential_files(data / "tmp");
  return files;
}

class ServerBuildTempDirs : public ::testing::Test {
 protected:
  ServerBuildTempDirs() {
    fs::create_directories(work.path() / "roots/app");
    std::ofstream(work.path() / "roots/app/Dockerfile") << "FROM scratch\n";
  }
  ServerOptions options(int concurrency) {
    return {.concurrency = concurrency, .context_roots = {work.path() / "roots"},
            .extra = {{"plugin_binary", temp_dir_stand_in_plugin(work.path()).string()}}};
  }
  Json build() const {
    return {{"settings", {{"repo", "127.0.0.1:1/app"}, {"username", "ci"}, {"password", kPassword}}},
            {"context", (work.path() / "roots/app").string()}};
  }
  fs::path data() const { return work.path() / "data"; }

  TempDir work{"kiln-server-temp-dirs"};
};

}  // namespace

TEST_F(ServerBuildTempDirs, ABuildsTemporaryFilesAreInItsOwnPrivateDirectory) {
  ServerProcess server(data(), options(1));
  const std::string id = server.submit(build())["id"];
  const auto files = wait_for_credentials(data(), 1);
  ASSERT_EQ(files.size(), 1u) << "the stand-in's TMPDIR is not below " << (data() / "tmp").string() << "\n" << server.output();
  // <data>/tmp/<id>/tmp/kiln-docker-config-<pid>/config.json, with <data>/tmp/<id> private.
  EXPECT_EQ(files[0].parent_path().parent_path().parent_path(), data() / "tmp" / id);
  struct stat st {};
  ASSERT_EQ(::stat((data() / "tmp" / id).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  server.request("POST", "/v1/builds/" + id + "/cancel");
}

TEST_F(ServerBuildTempDirs, CancelRemovesTheBuildsTempDirWithItsCredentials) {
  ServerProcess server(data(), options(1));
  const std::string id = server.submit(build())["id"];
  ASSERT_EQ(wait_for_credentials(data(), 1).size(), 1u) << server.output();
  EXPECT_EQ(server.request("POST", "/v1/builds/" + id + "/cancel").status, 202);
  // The stand-in ignores SIGTERM: the server's SIGKILL after its grace ends it.
  EXPECT_EQ(server.wait_build(id, std::chrono::seconds(20))["state"], "cancelled");
  EXPECT_FALSE(fs::exists(data() / "tmp" / id));
  EXPECT_TRUE(credential_files(data()).empty());
}

TEST_F(ServerBuildTempDirs, KillNineLeavesThemAndTheNextStartRemovesThem) {
  ServerProcess server(data(), options(2));
  const std::string first = server.submit(build())["id"], second = server.submit(build())["id"];
  const auto files = wait_for_credentials(data(), 2);
  ASSERT_EQ(files.size(), 2u) << server.output();
  server.kill9();
  // The builds died with the server (SIGKILL through their parent-death signal); their files stayed.
  for (const auto& f : files) EXPECT_TRUE(fs::exists(f)) << f;
  server.restart();
  EXPECT_NE(server.output().find("removed 2 temp dir(s) that builds of an abruptly ended run left in"), std::string::npos)
      << server.output();
  for (const auto& f : files) EXPECT_FALSE(fs::exists(f)) << f << " survived the restart";
  // The re-queued builds run again with fresh directories; cancel them so the test ends now.
  for (const auto& id : {first, second}) server.request("POST", "/v1/builds/" + id + "/cancel");
  for (const auto& id : {first, second}) EXPECT_EQ(server.wait_build(id, std::chrono::seconds(20))["state"], "cancelled");
  const auto left = credential_files(data());
  EXPECT_TRUE(left.empty()) << left.front() << "\n" << server.output();
}

}  // namespace kiln::testing
