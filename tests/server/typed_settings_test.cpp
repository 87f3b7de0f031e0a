// Settings come back from a real kiln-server with their types (booleans as booleans, lists as
// arrays, text as strings), however the client wrote them, and secret settings never do.
#include <gtest/gtest.h>

#include "tests/server/server_fixture.h"
#include "tests/support/tools.h"

namespace kiln::testing {

TEST(ServerTypedSettings, SettingsKeepTheirTypesAndSecretsStayOut) {
  TempDir dir("kiln-server-typed");
  ServerProcess server(dir.path() / "data");
  std::filesystem::create_directories(dir.path() / "src");
  std::ofstream(dir.path() / "src/Dockerfile") << "FROM scratch\nCOPY Dockerfile /\n";
  const std::string tar = run_process({"tar", "-C", (dir.path() / "src").string(), "-cf", "-", "Dockerfile"}).out;
  const std::string context = server.request("POST", "/v1/contexts", tar, kToken, "application/x-tar").json()["id"];

  const Json settings = {{"repo", "127.0.0.1:1/app"},
                         {"tags", "v1,v2"},                         // a list written as text
                         {"build_args", Json::array({"A=1", "B=2,3"})},  // an item with a comma
                         {"insecure", "yes"},                       // a boolean written as text
                         {"cache", false},
                         {"compression", "gzip"},
                         {"compression_level", 3},
                         {"password", "hunter2-typed"},
                         {"docker_password", "base-secret-typed"}};  // an alias of a secret one
  const Json verify = {{"driver", "static"}, {"pull", true}, {"platform", "linux/amd64"}};
  const Json created = server.submit({{"context", context}, {"settings", settings}, {"verify", verify}});
  const auto check = [](const Json& build) {
    const Json& s = build["settings"];
    EXPECT_EQ(s["tags"], Json::array({"v1", "v2"})) << s.dump();
    EXPECT_EQ(s["build_args"], Json::array({"A=1", "B=2,3"})) << s.dump();
    EXPECT_EQ(s["insecure"], true) << s.dump();
    EXPECT_EQ(s["cache"], false) << s.dump();
    EXPECT_EQ(s["compression"], "gzip") << s.dump();
    EXPECT_EQ(s["compression_level"], "3") << s.dump();
    EXPECT_EQ(s["repo"], "127.0.0.1:1/app") << s.dump();
    EXPECT_FALSE(s.contains("password")) << s.dump();
    EXPECT_FALSE(s.contains("base_image_password")) << s.dump();
    EXPECT_EQ(build["verify_settings"]["pull"], true) << build.dump();
    EXPECT_EQ(build["verify_settings"]["platform"], Json::array({"linux/amd64"})) << build.dump();
    EXPECT_EQ(build["verify_settings"]["driver"], "static") << build.dump();
  };
  check(created);
  const std::string id = created["id"];
  check(server.request("GET", "/v1/builds/" + id).json());
  const Json listed = server.request("GET", "/v1/builds").json();
  ASSERT_EQ(listed["builds"].size(), 1u);
  check(listed["builds"][0]);
  const HttpReply batch = server.request("POST", "/v1/batches", Json{{"context", context}, {"settings", settings}, {"verify", verify},
                                                                     {"builds", Json::array({Json::object()})}}.dump());
  ASSERT_EQ(batch.status, 201) << batch.body;
  check(batch.json()["builds"][0]);
  for (const std::string url : {"/v1/builds/" + id, std::string("/v1/builds"), "/v1/batches/" + batch.json()["id"].get<std::string>()}) {
    const std::string body = server.request("GET", url).body;
    EXPECT_EQ(body.find("hunter2-typed"), std::string::npos) << url;
    EXPECT_EQ(body.find("base-secret-typed"), std::string::npos) << url;
  }
}

}  // namespace kiln::testing
