// Builds through a real kiln-server running the real kiln-plugin into a real docker-registry;
// skopeo (not kiln) reads back what was pushed.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <fstream>

#include "tests/server/build_env.h"
#include "tests/support/elf_builder.h"
#include "tests/support/fault_proxy.h"
#include "tests/support/files.h"
#include "tests/support/processes.h"

namespace kiln::testing {
namespace {

class ServerBuilds : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    env_ = new BuildEnv;
    server_ = new ServerProcess(env_->work.path() / "data", env_->server_options(2));
  }
  static void TearDownTestSuite() {
    delete server_;
    delete env_;
  }
  static BuildEnv* env_;
  static ServerProcess* server_;
};
BuildEnv* ServerBuilds::env_ = nullptr;
ServerProcess* ServerBuilds::server_ = nullptr;

// The most builds whose [started, finished] intervals overlap at one moment.
int max_overlap(const Json& builds) {
  std::vector<std::pair<std::int64_t, int>> events;
  for (const auto& b : builds) {
    events.emplace_back(b["started_ms"].get<std::int64_t>(), +1);
    events.emplace_back(b["finished_ms"].get<std::int64_t>(), -1);
  }
  std::sort(events.begin(), events.end());  // at equal times an end (-1) sorts before a start
  int now = 0, most = 0;
  for (const auto& [t, d] : events) most = std::max(most, now += d);
  return most;
}

}  // namespace

TEST_F(ServerBuilds, OneBuildPushesTheDigestSkopeoReads) {
  const Json created = server_->submit(env_->build("single/app", Json::array({"v1", "latest"})));
  // A worker may take it between the insert and the answer.
  EXPECT_TRUE(created["state"] == "queued" || created["state"] == "running") << created.dump();
  const Json done = server_->wait_build(created["id"]);
  ASSERT_EQ(done["state"], "succeeded") << done.dump() << read_file(env_->work.path() / "data/logs" / (created["id"].get<std::string>() + ".log"));
  EXPECT_EQ(done["exit_code"], 0);
  EXPECT_EQ(done["attempts"], 1);
  EXPECT_EQ(env_->skopeo_digest("single/app", "v1"), done["digest"]);
  EXPECT_EQ(env_->skopeo_digest("single/app", "latest"), done["digest"]);
  EXPECT_LE(done["created_ms"].get<std::int64_t>(), done["started_ms"].get<std::int64_t>());
  EXPECT_LT(done["started_ms"].get<std::int64_t>(), done["finished_ms"].get<std::int64_t>());
  // The list shows it too.
  const Json list = server_->request("GET", "/v1/builds?limit=200").json()["builds"];
  EXPECT_TRUE(std::any_of(list.begin(), list.end(), [&](const Json& b) { return b["id"] == created["id"]; }));
}

TEST_F(ServerBuilds, BatchOfTenNeverRunsMoreThanTheConcurrencyAtOnce) {
  Json builds = Json::array();
  for (int i = 0; i < 10; ++i) builds.push_back(env_->build("batch/app", Json::array({"b" + std::to_string(i)})));
  const HttpReply r = server_->request("POST", "/v1/batches", Json{{"builds", builds}}.dump());
  ASSERT_EQ(r.status, 201) << r.body;
  const Json created = r.json();
  ASSERT_EQ(created["builds"].size(), 10u);
  const Json done = server_->wait_batch(created["id"]);
  ASSERT_EQ(done["counts"]["succeeded"], 10) << done.dump();
  EXPECT_LE(max_overlap(done["builds"]), 2) << done.dump();
  for (int i = 0; i < 10; ++i)
    EXPECT_EQ(env_->skopeo_digest("batch/app", "b" + std::to_string(i)), done["builds"][i]["digest"]) << i;
}

TEST_F(ServerBuilds, MatrixMakesOneImageOfEveryPlatformPerServiceUnderEveryTag) {
  // A base with linux/amd64 and linux/arm64, and an arm64 binary beside the amd64 one.
  push_busybox_base(*env_->registry.client(), {.repository = "base/busybox-multi", .tag = "1", .multi_platform = true});
  std::ofstream(env_->context() / "main-arm64", std::ios::binary) << make_elf({.machine = 183});  // EM_AARCH64
  Json common = env_->settings("matrix/unused", "x");
  common["base_image"] = env_->registry.host() + "/base/busybox-multi:1";
  common["binary"] = Json::array({"linux/amd64=main", "linux/arm64=main-arm64"});
  const Json body = {{"context", env_->context().string()},
                     {"settings", common},
                     {"matrix",
                      {{"services", Json::array({Json{{"name", "api"}, {"settings", {{"repo", env_->registry.host() + "/matrix/api"}}}},
                                                 Json{{"name", "web"}, {"settings", {{"repo", env_->registry.host() + "/matrix/web"}}}}})},
                       {"platforms", Json::array({"linux/amd64", "linux/arm64"})},
                       {"tags", Json::array({"t1", "t2"})}}}};
  const HttpReply r = server_->request("POST", "/v1/batches", body.dump());
  ASSERT_EQ(r.status, 201) << r.body;
  const Json builds = r.json()["builds"];
  // One build per service: platforms and tags are not separate builds pushing the same tag.
  ASSERT_EQ(builds.size(), 2u) << r.body;
  EXPECT_EQ(builds[0]["settings"]["tags"], Json::array({"t1", "t2"}));
  EXPECT_EQ(builds[0]["settings"]["binary"], Json::array({"linux/amd64=main", "linux/arm64=main-arm64"}));
  const Json done = server_->wait_batch(r.json()["id"]);
  ASSERT_EQ(done["counts"]["succeeded"], 2) << done.dump();
  for (const auto& [service, i] : {std::pair{"api", 0}, std::pair{"web", 1}}) {
    const std::string repo = std::string("matrix/") + service;
    for (const char* tag : {"t1", "t2"}) {
      // skopeo reads one index with both platforms under each tag, the digest the build reported.
      EXPECT_EQ(env_->skopeo_digest(repo, tag), done["builds"][i]["digest"]) << repo << ":" << tag;
      const Json index = Json::parse(run_ok({"skopeo", "inspect", "--raw", "--tls-verify=false",
                                             "docker://" + env_->registry.host() + "/" + repo + ":" + tag}));
      ASSERT_TRUE(index.contains("manifests")) << index.dump();
      std::vector<std::string> platforms;
      for (const auto& m : index["manifests"])
        platforms.push_back(m["platform"]["os"].get<std::string>() + "/" + m["platform"]["architecture"].get<std::string>());
      std::sort(platforms.begin(), platforms.end());
      EXPECT_EQ(platforms, (std::vector<std::string>{"linux/amd64", "linux/arm64"})) << index.dump();
    }
  }
}

TEST_F(ServerBuilds, MatrixPlatformsThatCannotMakeOneImageAre400) {
  Json body = {{"context", env_->context().string()},
               {"settings", env_->settings("matrix/refused", "x")},
               {"matrix", {{"platforms", Json::array({"linux/amd64", "linux/arm64"})}}}};
  // One binary for two platforms: which one is the arm64 binary?
  HttpReply r = server_->request("POST", "/v1/batches", body.dump());
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("matrix.platforms (for matrix.services[0]): no binary for linux/amd64"), std::string::npos) << r.body;
  // Each platform may name its binary.
  body["matrix"]["platforms"] = Json::array({Json{{"platform", "linux/amd64"}, {"binary", "main"}}, Json{{"platform", "linux/arm64"}, {"binary", "main-arm64"}}});
  std::ofstream(env_->context() / "main-arm64", std::ios::binary) << make_elf({.machine = 183});
  r = server_->request("POST", "/v1/batches", body.dump());
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json()["builds"][0]["settings"]["binary"], Json::array({"linux/amd64=main", "linux/arm64=main-arm64"}));
  // r.json() is a temporary: iterating a member of it would outlive it (ASan: heap-use-after-free).
  const Json batch = r.json();
  for (const auto& b : batch["builds"]) server_->request("POST", "/v1/builds/" + b["id"].get<std::string>() + "/cancel");
  // kiln-plugin builds a Dockerfile for one platform per run.
  body["settings"].erase("binary");
  body["settings"]["dockerfile"] = "Dockerfile";
  body["matrix"]["platforms"] = Json::array({"linux/amd64", "linux/arm64"});
  r = server_->request("POST", "/v1/batches", body.dump());
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("kiln-plugin builds a Dockerfile for one platform per run"), std::string::npos) << r.body;
}

TEST_F(ServerBuilds, LogStreamsAsServerSentEventsAndEndsWithTheState) {
  // The base manifest stalls 1 s, so the stream attaches while the build is still running.
  FaultProxy proxy(env_->registry.host());
  proxy.add({.method = "", .path = "/v2/base/busybox/manifests/.*", .action = FaultAction::stall, .times = 1,
             .stall = std::chrono::seconds(1)});
  Json build = env_->build("sse/app", Json::array({"v1"}));
  build["settings"]["base_image"] = proxy.host() + "/base/busybox:1";
  const Json created = server_->submit(build);
  const std::string id = created["id"];
  // Poco's client reads the stream while the build runs.
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(server_->port()));
  session.setTimeout(Poco::Timespan(120, 0));
  Poco::Net::HTTPRequest req("GET", "/v1/builds/" + id + "/log", Poco::Net::HTTPMessage::HTTP_1_1);
  req.set("Authorization", std::string("Bearer ") + kToken);
  session.sendRequest(req);
  Poco::Net::HTTPResponse resp;
  std::istream& in = session.receiveResponse(resp);
  EXPECT_NE(server_->request("GET", "/v1/builds/" + id).json()["state"], "succeeded") << "the stream should start live";
  EXPECT_EQ(resp.getStatus(), 200);
  EXPECT_EQ(resp.getContentType(), "text/event-stream");
  std::string stream;
  Poco::StreamCopier::copyToString(in, stream);  // ends when the server ends the stream
  const Json done = server_->wait_build(id);
  ASSERT_EQ(done["state"], "succeeded");
  EXPECT_NE(stream.find("data: digest " + done["digest"].get<std::string>() + "\n\n"), std::string::npos) << stream;
  EXPECT_NE(stream.find("data: pushed " + env_->registry.host() + "/sse/app:v1@"), std::string::npos) << stream;
  const std::string end = "event: end\ndata: {\"state\":\"succeeded\"}\n\n";
  ASSERT_GE(stream.size(), end.size());
  EXPECT_EQ(stream.substr(stream.size() - end.size()), end);

  // After the end, curl gets the same lines from the file, then the same end event.
  const std::string replay = run_ok({"curl", "-sS", "-N", "-H", std::string("Authorization: Bearer ") + kToken,
                                     server_->base_url() + "/v1/builds/" + id + "/log"});
  EXPECT_NE(replay.find("data: digest " + done["digest"].get<std::string>() + "\n\n"), std::string::npos) << replay;
  EXPECT_EQ(replay.substr(replay.size() - end.size()), end);
}

TEST_F(ServerBuilds, CancelKillsARunningBuild) {
  // The base image's manifest stalls (15 s) in a proxy, so the real kiln-plugin is mid-build when the
  // cancel arrives.
  FaultProxy proxy(env_->registry.host());
  proxy.add({.method = "", .path = "/v2/base/busybox/manifests/.*", .action = FaultAction::stall, .times = FaultRule::kAlways,
             .stall = std::chrono::seconds(15)});
  Json build = env_->build("cancel/app", Json::array({"v1"}));
  build["settings"]["base_image"] = proxy.host() + "/base/busybox:1";
  build["settings"]["layer_cache_dir"] = "none";
  const Json created = server_->submit(build);
  const std::string id = created["id"];
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline && proxy.log().empty()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_FALSE(proxy.log().empty()) << "kiln-plugin never reached the registry";
  const auto cancel_at = std::chrono::steady_clock::now();
  const HttpReply cancel = server_->request("POST", "/v1/builds/" + id + "/cancel");
  EXPECT_EQ(cancel.status, 202) << cancel.body;
  const Json done = server_->wait_build(id, std::chrono::seconds(20));
  EXPECT_EQ(done["state"], "cancelled") << done.dump();
  EXPECT_LT(std::chrono::steady_clock::now() - cancel_at, std::chrono::seconds(10)) << "the stall lasts 15 s: the build was killed";
  // Cancelling what has ended is refused.
  EXPECT_EQ(server_->request("POST", "/v1/builds/" + id + "/cancel").status, 409);
}

TEST_F(ServerBuilds, APasswordAppearsInNoResponseLogDatabaseOrCmdline) {
  const std::string password = "pw-7f3a9c1e-kiln-secret";
  // A slow base manifest keeps the plugin alive long enough to read its /proc entries.
  FaultProxy proxy(env_->registry.host());
  proxy.add({.method = "", .path = "/v2/base/busybox/manifests/.*", .action = FaultAction::stall, .times = 1,
             .stall = std::chrono::milliseconds(1500)});
  Json build = env_->build("secret/app", Json::array({"v1"}));
  build["settings"]["base_image"] = proxy.host() + "/base/busybox:1";
  build["settings"]["username"] = "kiln";
  build["settings"]["password"] = password;
  build["settings"]["layer_cache_dir"] = "none";
  const HttpReply created = server_->request("POST", "/v1/builds", build.dump());
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.body.find(password), std::string::npos);
  const std::string id = created.json()["id"];

  // While it runs: every process's argv, the children of the server included.
  int plugins_seen = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline && server_->request("GET", "/v1/builds/" + id).json()["state"] != "succeeded") {
    for (const auto& proc : std::filesystem::directory_iterator("/proc")) {
      const std::string cmdline = read_file(proc.path() / "cmdline");
      EXPECT_EQ(cmdline.find(password), std::string::npos) << proc.path();
    }
    for (int pid : process_descendants(server_->pid()))  // this server's builds, not a neighbour test's
      plugins_seen += process_cmdline(pid).starts_with(KILN_PLUGIN_BINARY);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_GT(plugins_seen, 0) << "never saw kiln-plugin running";
  const Json done = server_->wait_build(id);
  EXPECT_EQ(done["state"], "succeeded") << done.dump();

  for (const char* path : {"/v1/builds/", "/v1/builds?limit=200"}) {
    const std::string url = std::string(path) + (path[std::strlen(path) - 1] == '/' ? id : "");
    EXPECT_EQ(server_->request("GET", url).body.find(password), std::string::npos) << url;
  }
  const std::string log = server_->request("GET", "/v1/builds/" + id + "/log").body;
  EXPECT_FALSE(log.empty());
  EXPECT_EQ(log.find(password), std::string::npos);
  for (const auto& f : std::filesystem::recursive_directory_iterator(env_->work.path() / "data"))
    if (f.is_regular_file()) EXPECT_EQ(read_file(f.path()).find(password), std::string::npos) << f.path();
  EXPECT_EQ(server_->output().find(password), std::string::npos);
}

TEST_F(ServerBuilds, VerifyStepStoresKilnVerifysJUnit) {
  Json build = env_->build("verified/app", Json::array({"v1"}));
  build["verify"] = {{"insecure", true}, {"binary", "main"}};
  const Json created = server_->submit(build);
  const Json done = server_->wait_build(created["id"]);
  ASSERT_EQ(done["state"], "succeeded") << done.dump();
  EXPECT_EQ(done["has_report"], true);
  const HttpReply report = server_->request("GET", "/v1/builds/" + created["id"].get<std::string>() + "/report");
  ASSERT_EQ(report.status, 200);
  EXPECT_EQ(report.headers.at("Content-Type"), "application/xml");
  EXPECT_NE(report.body.find("<testsuites"), std::string::npos) << report.body;
  EXPECT_EQ(report.body.find("<failure"), std::string::npos) << report.body;

  // A build without a verify step has no report.
  const Json plain = server_->wait_build(server_->submit(env_->build("verified/plain", Json::array({"v1"})))["id"]);
  EXPECT_EQ(server_->request("GET", "/v1/builds/" + plain["id"].get<std::string>() + "/report").status, 404);
}

TEST_F(ServerBuilds, TheVerifyStepInheritsThePlainHttpRegistrySetting) {
  // The build says insecure (plain HTTP); its verify step says nothing of the registry.
  Json build = env_->build("verified/inherits", Json::array({"v1"}));
  build["verify"] = {{"binary", "main"}};
  const Json created = server_->submit(build);
  EXPECT_EQ(created["verify_settings"]["insecure"], true) << created.dump();
  const Json done = server_->wait_build(created["id"]);
  EXPECT_EQ(done["state"], "succeeded") << done.dump();
  EXPECT_EQ(done["has_report"], true);
}

TEST_F(ServerBuilds, AFailingVerifyFailsTheBuildAndKeepsTheReport) {
  std::ofstream(env_->context() / "other-main") << "not the binary that was built";
  Json build = env_->build("verified/wrong", Json::array({"v1"}));
  build["verify"] = {{"insecure", true}, {"binary", "other-main"}};
  const Json done = server_->wait_build(server_->submit(build)["id"]);
  EXPECT_EQ(done["state"], "failed");
  EXPECT_EQ(done["message"], "built and pushed " + done["digest"].get<std::string>() + ", but kiln-verify exited with 1");
  EXPECT_NE(server_->request("GET", "/v1/builds/" + done["id"].get<std::string>() + "/report").body.find("<failure"),
            std::string::npos);
}

}  // namespace kiln::testing
