// What kiln-plugin itself would refuse before any network traffic is refused at submission,
// with kiln-plugin's own message naming the setting, and a batch with one such build is
// refused whole. The builds accepted here never reach a registry (127.0.0.1:1 answers nothing).
#include <gtest/gtest.h>

#include <fstream>

#include "tests/server/server_fixture.h"

namespace kiln::testing {
namespace {

namespace fs = std::filesystem;

class ServerSubmissionRules : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    work_ = new TempDir("kiln-server-rules");
    fs::create_directories(work_->path() / "roots/app/out");
    fs::copy_file(KILN_HELLO_BINARY, work_->path() / "roots/app/out/main");
    std::ofstream(work_->path() / "roots/app/.tags") << "from-the-context\n";
    server_ = new ServerProcess(work_->path() / "data", {.concurrency = 1, .context_roots = {work_->path() / "roots"}});
  }
  static void TearDownTestSuite() {
    delete server_;
    delete work_;
  }
  static Json build(Json settings) {
    return {{"settings", std::move(settings)}, {"context", (work_->path() / "roots/app").string()}};
  }
  static Json good_settings() {
    return {{"repo", "127.0.0.1:1/team/app"}, {"base_image", "127.0.0.1:1/base:1"}, {"binary", "out/main"}};
  }
  static std::string refusal(const Json& body, const std::string& path = "/v1/builds") {
    const HttpReply r = server_->request("POST", path, body.dump());
    EXPECT_EQ(r.status, 400) << r.body;
    return r.status == 400 ? r.json()["error"].get<std::string>() : r.body;
  }

  static TempDir* work_;
  static ServerProcess* server_;
};
TempDir* ServerSubmissionRules::work_ = nullptr;
ServerProcess* ServerSubmissionRules::server_ = nullptr;

}  // namespace

TEST_F(ServerSubmissionRules, ABinaryBuildWithoutBaseImageIs400NamingIt) {
  Json settings = good_settings();
  settings.erase("base_image");
  EXPECT_EQ(refusal(build(settings)),
            "settings: setting base_image: is required for a binary-on-base build, e.g. debian:bookworm-slim");
}

TEST_F(ServerSubmissionRules, AnInvalidRepositoryOrTagIs400NamingTheSetting) {
  Json settings = good_settings();
  settings["repo"] = "127.0.0.1:1/Team/App";
  EXPECT_NE(refusal(build(settings)).find("setting repo:"), std::string::npos);
  settings = good_settings();
  settings.erase("repo");
  EXPECT_NE(refusal(build(settings)).find("repo"), std::string::npos);
  settings = good_settings();
  settings["tags"] = Json::array({"ok", "not ok!"});
  EXPECT_NE(refusal(build(settings)).find("setting tags:"), std::string::npos);
  settings = good_settings();
  settings["platform"] = "linux";
  EXPECT_NE(refusal(build(settings)).find("setting platform:"), std::string::npos);
}

TEST_F(ServerSubmissionRules, FilesAreLookedForInTheBuildsContextNotTheServersDirectory) {
  Json settings = good_settings();
  settings["binary"] = "out/missing";
  EXPECT_NE(refusal(build(settings)).find("setting binary: " + (work_->path() / "roots/app/out/missing").string() +
                                          " does not exist or is not a regular file"),
            std::string::npos);
  // out/main is in the context (not in the server's working directory): accepted.
  const HttpReply ok = server_->request("POST", "/v1/builds", build(good_settings()).dump());
  ASSERT_EQ(ok.status, 201) << ok.body;
  server_->request("POST", "/v1/builds/" + ok.json()["id"].get<std::string>() + "/cancel");
}

TEST_F(ServerSubmissionRules, ABatchWithOneBadBuildIsRefusedWholeNamingIt) {
  const std::size_t before = server_->request("GET", "/v1/builds?limit=200").json()["builds"].size();
  Json bad = good_settings();
  bad["compression_level"] = 42;
  const std::string error = refusal(Json{{"builds", Json::array({build(good_settings()), build(bad)})}}, "/v1/batches");
  EXPECT_EQ(error.rfind("builds[1].settings: setting compression_level:", 0), 0u) << error;
  EXPECT_EQ(server_->request("GET", "/v1/builds?limit=200").json()["builds"].size(), before);
}

// kiln-plugin looks for .tags in its working directory; the checks at submission run in the
// server's, whose .tags (here one holding an invalid tag) must play no part in a build whose
// context has none.
TEST(ServerSubmissionRulesAlone, TheServersOwnTagsFileIsNeverRead) {
  TempDir work("kiln-server-rules-tags");
  fs::create_directories(work.path() / "cwd");
  fs::create_directories(work.path() / "roots/app/out");
  fs::copy_file(KILN_HELLO_BINARY, work.path() / "roots/app/out/main");
  std::ofstream(work.path() / "cwd/.tags") << "not ok!\n";
  ServerProcess server(work.path() / "data", {.concurrency = 1,
                                              .context_roots = {work.path() / "roots"},
                                              .working_dir = (work.path() / "cwd").string()});
  const Json body = {{"settings", {{"repo", "127.0.0.1:1/team/app"}, {"base_image", "127.0.0.1:1/base:1"}, {"binary", "out/main"}}},
                     {"context", (work.path() / "roots/app").string()}};
  const HttpReply r = server.request("POST", "/v1/builds", body.dump());
  ASSERT_EQ(r.status, 201) << r.body;
  server.request("POST", "/v1/builds/" + r.json()["id"].get<std::string>() + "/cancel");
}

}  // namespace kiln::testing
