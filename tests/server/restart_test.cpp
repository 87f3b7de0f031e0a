// kill -9 in the middle of a batch, then a restart on the same data dir: every build ends
// succeeded exactly once. The registry (through skopeo) and the SQLite file (through the
// sqlite3 CLI, not kiln's code) are the witnesses.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "tests/server/build_env.h"
#include "tests/support/fault_proxy.h"
#include "tests/support/files.h"
#include "tests/support/processes.h"

namespace kiln::testing {
namespace {

int count(const std::string& text, const std::string& needle) {
  int n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// The kiln-plugin processes `server` started (not those of tests running beside this one).
std::vector<int> plugins_of(int server) {
  std::vector<int> out;
  for (int pid : process_descendants(server))
    if (process_cmdline(pid).starts_with(KILN_PLUGIN_BINARY)) out.push_back(pid);
  return out;
}

}  // namespace

TEST(ServerRestart, KillNineMidBatchLosesNothingAndRunsNothingTwiceToCompletion) {
  BuildEnv env;
  // Every base manifest request stalls 3 s, so builds are surely mid-run when the server dies.
  FaultProxy proxy(env.registry.host());
  proxy.add({.method = "", .path = "/v2/base/busybox/manifests/.*", .action = FaultAction::stall, .times = FaultRule::kAlways,
             .stall = std::chrono::seconds(3)});
  const auto data = env.work.path() / "data";
  ServerProcess server(data, env.server_options(2));

  constexpr int kBuilds = 6;
  Json builds = Json::array();
  for (int i = 0; i < kBuilds; ++i) {
    Json b = env.build("restart/app", Json::array({"k" + std::to_string(i)}));
    b["settings"]["base_image"] = proxy.host() + "/base/busybox:1";
    builds.push_back(b);
  }
  const HttpReply r = server.request("POST", "/v1/batches", Json{{"builds", builds}}.dump());
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string batch = r.json()["id"];

  // Kill once both workers are busy and work is still queued.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  Json counts;
  while (std::chrono::steady_clock::now() < deadline) {
    counts = server.request("GET", "/v1/batches/" + batch).json()["counts"];
    if (counts.value("running", 0) == 2) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(counts.value("running", 0), 2) << counts.dump();
  ASSERT_GT(counts.value("queued", 0), 0) << counts.dump();
  // A build is "running" from its claim, a moment before its kiln-plugin has exec'd.
  std::vector<int> plugins;
  for (const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
       plugins.size() < 2 && std::chrono::steady_clock::now() < until;
       std::this_thread::sleep_for(std::chrono::milliseconds(20)))
    plugins = plugins_of(server.pid());
  ASSERT_EQ(plugins.size(), 2u) << "one kiln-plugin per running build";
  server.kill9();

  // The builds the dead server was running die with it (no orphan keeps pushing).
  const auto any_alive = [&] { return std::any_of(plugins.begin(), plugins.end(), process_alive); };
  const auto orphan_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < orphan_deadline && any_alive())
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_FALSE(any_alive());

  server.restart();
  EXPECT_NE(server.output().find("2 running build(s) re-queued"), std::string::npos) << server.output();
  const Json done = server.wait_batch(batch);
  ASSERT_EQ(done["counts"]["succeeded"], kBuilds) << done.dump();
  int rerun = 0;
  for (int i = 0; i < kBuilds; ++i) {
    const Json& b = done["builds"][i];
    const std::string id = b["id"];
    EXPECT_EQ(env.skopeo_digest("restart/app", "k" + std::to_string(i)), b["digest"]) << i;
    const std::string log = read_file(data / "logs" / (id + ".log"));
    const int attempts = b["attempts"];
    EXPECT_GE(attempts, 1);
    EXPECT_LE(attempts, 2);
    rerun += attempts - 1;
    EXPECT_EQ(count(log, "--- kiln-server: attempt 2 "), attempts - 1) << log;
    // A run that was not interrupted completes once; an interrupted one was killed before it
    // printed its digest (it waited on the stalled base manifest).
    EXPECT_EQ(count(log, "\ndigest sha256:") + (log.rfind("digest sha256:", 0) == 0), 1) << log;
  }
  EXPECT_EQ(rerun, 2) << "exactly the two running builds ran again";
  // The database agrees, read by sqlite3 rather than kiln-server.
  const std::string rows = run_ok({"sqlite3", (data / "kiln-server.db").string(),
                                   "SELECT state, COUNT(*), SUM(attempts) FROM builds WHERE batch_id = '" + batch + "' GROUP BY state"});
  EXPECT_EQ(rows, "succeeded|6|8\n");
}

TEST(ServerRestart, ABuildInterruptedTwiceFails) {
  BuildEnv env;
  FaultProxy proxy(env.registry.host());
  proxy.add({.method = "", .path = "/v2/base/busybox/manifests/.*", .action = FaultAction::stall, .times = FaultRule::kAlways,
             .stall = std::chrono::seconds(10)});
  const auto data = env.work.path() / "data";
  ServerProcess server(data, env.server_options(1));
  Json build = env.build("twice/app", Json::array({"v1"}));
  build["settings"]["base_image"] = proxy.host() + "/base/busybox:1";
  const std::string id = server.submit(build)["id"];
  for (int round = 1; round <= 2; ++round) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline &&
           server.request("GET", "/v1/builds/" + id).json()["attempts"] != round)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ASSERT_EQ(server.request("GET", "/v1/builds/" + id).json()["attempts"], round);
    server.kill9();
    server.restart();
  }
  const Json b = server.request("GET", "/v1/builds/" + id).json();
  EXPECT_EQ(b["state"], "failed");
  EXPECT_EQ(b["message"], "interrupted twice by a server restart; not re-queued again");
}

TEST(ServerRestart, SigtermPutsRunningBuildsBackWithoutSpendingAnAttempt) {
  BuildEnv env;
  FaultProxy proxy(env.registry.host());
  proxy.add({.method = "", .path = "/v2/base/busybox/manifests/.*", .action = FaultAction::stall, .times = 1,
             .stall = std::chrono::seconds(10)});
  const auto data = env.work.path() / "data";
  ServerProcess server(data, env.server_options(1));
  Json build = env.build("sigterm/app", Json::array({"v1"}));
  build["settings"]["base_image"] = proxy.host() + "/base/busybox:1";
  const std::string id = server.submit(build)["id"];
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline && proxy.log().empty()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_FALSE(proxy.log().empty());
  EXPECT_EQ(server.terminate(), 0) << server.output();
  EXPECT_TRUE(std::filesystem::is_empty(data / "tmp")) << "a clean stop leaves no build temp dir";
  EXPECT_EQ(run_ok({"sqlite3", (data / "kiln-server.db").string(), "SELECT state, attempts FROM builds WHERE id = '" + id + "'"}),
            "queued|0\n");
  server.restart();
  const Json done = server.wait_build(id);
  EXPECT_EQ(done["state"], "succeeded") << done.dump();
  EXPECT_EQ(done["attempts"], 1);
  EXPECT_EQ(env.skopeo_digest("sigterm/app", "v1"), done["digest"]);
}

}  // namespace kiln::testing
