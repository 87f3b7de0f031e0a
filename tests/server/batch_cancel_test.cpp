// A batch is cancelled as a whole: its queued builds at once, its running one stopped; what has
// ended stays as it ended. A stand-in kiln-plugin waits (bounded) so the builds stay running or
// queued until the cancel.
#include <gtest/gtest.h>

#include <fstream>

#include "tests/server/server_fixture.h"

namespace kiln::testing {
namespace {

namespace fs = std::filesystem;

fs::path waiting_plugin(const fs::path& dir) {
  const auto script = dir / "kiln-plugin-waits.sh";
  std::ofstream(script) << "#!/bin/sh\necho started\nexec sleep 30\n";
  fs::permissions(script, fs::perms::owner_all);
  return script;
}

}  // namespace

TEST(ServerBatchCancel, CancelsQueuedAndRunningBuildsOfTheBatchOnly) {
  TempDir work("kiln-server-batch-cancel");
  fs::create_directories(work.path() / "roots/app");
  std::ofstream(work.path() / "roots/app/Dockerfile") << "FROM scratch\n";
  ServerProcess server(work.path() / "data", {.concurrency = 1, .context_roots = {work.path() / "roots"},
                                              .extra = {{"plugin_binary", waiting_plugin(work.path()).string()}}});
  const Json build = {{"settings", {{"repo", "127.0.0.1:1/app"}}}, {"context", (work.path() / "roots/app").string()}};
  const HttpReply created = server.request("POST", "/v1/batches", Json{{"builds", Json::array({build, build, build})}}.dump());
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string batch = created.json()["id"];
  const std::string first = created.json()["builds"][0]["id"];
  // Another batch, queued behind it, is not touched.
  const HttpReply other = server.request("POST", "/v1/batches", Json{{"builds", Json::array({build})}}.dump());
  ASSERT_EQ(other.status, 201);
  for (int i = 0; i < 200 && server.request("GET", "/v1/builds/" + first).json()["state"] != "running"; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_EQ(server.request("GET", "/v1/builds/" + first).json()["state"], "running");

  const HttpReply cancel = server.request("POST", "/v1/batches/" + batch + "/cancel");
  EXPECT_EQ(cancel.status, 202) << cancel.body;
  const Json done = server.wait_batch(batch, std::chrono::seconds(30));
  EXPECT_EQ(done["counts"], (Json{{"cancelled", 3}})) << done.dump();
  // The other batch's build runs next (and is cancelled here only to end the test).
  const std::string next = other.json()["builds"][0]["id"];
  for (int i = 0; i < 200 && server.request("GET", "/v1/builds/" + next).json()["state"] != "running"; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(server.request("GET", "/v1/builds/" + next).json()["state"], "running");
  server.request("POST", "/v1/builds/" + next + "/cancel");
  // Cancelling again changes nothing; an unknown batch is 404.
  EXPECT_EQ(server.request("POST", "/v1/batches/" + batch + "/cancel").json()["counts"], (Json{{"cancelled", 3}}));
  EXPECT_EQ(server.request("POST", "/v1/batches/batch-none/cancel").status, 404);
}

}  // namespace kiln::testing
