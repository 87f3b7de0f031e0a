// GET /v1/builds and GET /v1/batches against a real kiln-server: filters, labels, keyset pages
// that stay stable while builds are submitted, and the refusals of hostile queries (huge limits,
// forged or foreign cursors, unknown or repeated parameters, label floods).
#include <gtest/gtest.h>

#include <set>

#include "tests/server/server_fixture.h"
#include "tests/support/tools.h"

namespace kiln::testing {
namespace {

class ServerListing : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir("kiln-server-listing");
    server_ = new ServerProcess(dir_->path() / "data", {.concurrency = 2, .extra = {{"rate_limit", "1000"}, {"rate_burst", "1000"}}});
    std::filesystem::create_directories(dir_->path() / "src");
    std::ofstream(dir_->path() / "src/Dockerfile") << "FROM scratch\nCOPY Dockerfile /\n";
    const std::string tar = run_process({"tar", "-C", (dir_->path() / "src").string(), "-cf", "-", "Dockerfile"}).out;
    const HttpReply up = server_->request("POST", "/v1/contexts", tar, kToken, "application/x-tar");
    context_ = new std::string(up.json()["id"]);
  }
  static void TearDownTestSuite() {
    delete server_;
    delete dir_;
    delete context_;
  }

  // A build whose registry is closed: it fails soon after it starts.
  static Json build(const Json& labels = Json()) {
    Json b = {{"context", *context_}, {"settings", {{"repo", "127.0.0.1:1/app"}}}};
    if (!labels.is_null()) b["labels"] = labels;
    return b;
  }
  static std::string submit(const Json& labels) { return server_->submit(build(labels))["id"]; }

  static std::string error_of(const std::string& url) {
    const HttpReply r = server_->request("GET", url);
    EXPECT_EQ(r.status, 400) << url << ": " << r.body;
    return r.json().value("error", "");
  }

  // Every id of a listing, following next_cursor (bounded).
  static std::vector<std::string> all_pages(const std::string& url, const char* key = "builds") {
    std::vector<std::string> ids;
    std::string next = url;
    for (int page = 0; page < 50 && !next.empty(); ++page) {
      const Json j = server_->request("GET", next).json();
      for (const auto& item : j[key]) ids.push_back(item["id"]);
      next = j["next_cursor"].is_null() ? "" : url + "&cursor=" + j["next_cursor"].get<std::string>();
    }
    return ids;
  }

  static TempDir* dir_;
  static ServerProcess* server_;
  static std::string* context_;
};
TempDir* ServerListing::dir_ = nullptr;
ServerProcess* ServerListing::server_ = nullptr;
std::string* ServerListing::context_ = nullptr;

}  // namespace

TEST_F(ServerListing, LabelsAreStoredReturnedAndFilterTheList) {
  const std::string a = submit({{"team", "red"}, {"app.kubernetes.io/name", "web"}});
  const std::string b = submit({{"team", "blue"}, {"app.kubernetes.io/name", "web"}});
  submit({{"team", "red"}, {"app.kubernetes.io/name", "db"}});
  using LabelMap = std::map<std::string, std::string>;
  EXPECT_EQ(server_->request("GET", "/v1/builds/" + a).json()["labels"].get<LabelMap>(),
            (LabelMap{{"team", "red"}, {"app.kubernetes.io/name", "web"}}));

  auto ids = [](const std::string& url) {
    const HttpReply r = server_->request("GET", url);
    EXPECT_EQ(r.status, 200) << url << ": " << r.body;
    std::set<std::string> out;
    const Json listed = r.json();
    for (const auto& x : listed["builds"]) out.insert(x["id"]);
    return out;
  };
  EXPECT_EQ(ids("/v1/builds?label=app.kubernetes.io/name=web"), (std::set<std::string>{a, b}));
  EXPECT_EQ(ids("/v1/builds?label=app.kubernetes.io/name=web&label=team=red"), (std::set<std::string>{a}));
  EXPECT_EQ(ids("/v1/builds?label=team=green"), std::set<std::string>{});
  // Percent-encoded as a client library sends it.
  EXPECT_EQ(ids("/v1/builds?label=app.kubernetes.io%2Fname%3Dweb&label=team%3Dblue"), (std::set<std::string>{b}));
}

TEST_F(ServerListing, StateAndBatchFiltersReturnOnlyMatchingBuilds) {
  const HttpReply batch = server_->request(
      "POST", "/v1/batches", Json{{"labels", {{"suite", "state"}}}, {"builds", Json::array({build(), build({{"own", "x"}})})}}.dump());
  ASSERT_EQ(batch.status, 201) << batch.body;
  const std::string batch_id = batch.json()["id"];
  server_->wait_batch(batch_id);
  const Json failed = server_->request("GET", "/v1/builds?state=failed&batch_id=" + batch_id).json();
  ASSERT_EQ(failed["builds"].size(), 2u) << failed.dump();
  for (const auto& b : failed["builds"]) {
    EXPECT_EQ(b["state"], "failed");
    EXPECT_EQ(b["batch_id"], batch_id);
    EXPECT_EQ(b["labels"]["suite"], "state") << "a batch's labels go on its builds";
  }
  EXPECT_EQ(failed["builds"][0]["labels"]["own"], "x") << "newest first, with its own labels too";
  EXPECT_TRUE(server_->request("GET", "/v1/builds?state=running&batch_id=" + batch_id).json()["builds"].empty());
  EXPECT_TRUE(server_->request("GET", "/v1/builds?batch_id=batch-none").json()["builds"].empty());
}

TEST_F(ServerListing, PagesStayStableWhileBuildsAreSubmitted) {
  std::vector<std::string> first;
  for (int i = 0; i < 7; ++i) first.push_back(submit({{"run", "paging"}}));
  const std::string url = "/v1/builds?label=run=paging&limit=3";
  const Json page1 = server_->request("GET", url).json();
  ASSERT_EQ(page1["builds"].size(), 3u);
  ASSERT_TRUE(page1["next_cursor"].is_string());
  // Submitted between pages: newer than every page, so they shift nothing.
  for (int i = 0; i < 2; ++i) submit({{"run", "paging"}});
  std::vector<std::string> seen;
  for (const auto& b : page1["builds"]) seen.push_back(b["id"]);
  std::string cursor = page1["next_cursor"];
  for (int page = 0; page < 5 && !cursor.empty(); ++page) {
    const Json j = server_->request("GET", url + "&cursor=" + cursor).json();
    for (const auto& b : j["builds"]) seen.push_back(b["id"]);
    cursor = j["next_cursor"].is_null() ? "" : j["next_cursor"].get<std::string>();
  }
  EXPECT_EQ(seen, std::vector<std::string>(first.rbegin(), first.rend())) << "newest first, each once, none of the later ones";
  // The page size may change between pages; the filters may not.
  const std::string c = page1["next_cursor"];
  EXPECT_EQ(server_->request("GET", "/v1/builds?label=run=paging&limit=200&cursor=" + c).json()["builds"].size(), 4u);
}

TEST_F(ServerListing, TheLimitIsBoundedAndDefaultsTo50) {
  for (int i = 0; i < 3; ++i) submit({{"run", "limit"}});
  EXPECT_EQ(server_->request("GET", "/v1/builds?label=run=limit&limit=2").json()["builds"].size(), 2u);
  for (const char* bad : {"0", "201", "-1", "99999999999999999999999", "abc", "5x", ""})
    EXPECT_EQ(error_of(std::string("/v1/builds?limit=") + bad),
              std::string("query parameter limit: expected a whole number from 1 to 200, got '") + bad + "'");
  for (int i = 0; i < 52; ++i) submit({{"run", "default"}});
  const Json page = server_->request("GET", "/v1/builds?label=run=default").json();
  EXPECT_EQ(page["builds"].size(), 50u);
  EXPECT_TRUE(page["next_cursor"].is_string());
  EXPECT_EQ(all_pages("/v1/builds?label=run=default").size(), 52u);
}

TEST_F(ServerListing, UnknownRepeatedOrBadParametersAre400NamingThem) {
  EXPECT_EQ(error_of("/v1/builds?stat=failed"),
            "unknown query parameter 'stat' (this endpoint takes state, batch_id, label, limit, cursor)");
  EXPECT_EQ(error_of("/v1/builds?limit=1&limit=2"), "query parameter limit: given more than once");
  EXPECT_EQ(error_of("/v1/builds?state=failed&state=queued"), "query parameter state: given more than once");
  EXPECT_EQ(error_of("/v1/builds?state=done"),
            "query parameter state: unknown state 'done' (one of queued, running, succeeded, failed, cancelled)");
  EXPECT_EQ(error_of("/v1/builds?label=team"), "query parameter label: expected key=value, got 'team'");
  EXPECT_EQ(error_of("/v1/builds?label=-x=1").rfind("query parameter label: label key '-x' must be", 0), 0u);
  EXPECT_EQ(error_of("/v1/builds?label=a=1&label=a=2"), "query parameter label: key 'a' given twice");
  EXPECT_EQ(error_of("/v1/builds?batch_id="), "query parameter batch_id: empty");
  EXPECT_EQ(error_of("/v1/builds?state=%zz"), "query parameter state: bad percent-encoding");
  EXPECT_EQ(error_of("/v1/batches?state=failed"), "unknown query parameter 'state' (this endpoint takes done, label, limit, cursor)");
  EXPECT_EQ(error_of("/v1/batches?done=yes"), "query parameter done: expected true or false, got 'yes'");
  // Endpoints without a query refuse one too, instead of ignoring it.
  const std::string id = submit({});
  EXPECT_EQ(error_of("/v1/builds/" + id + "?verbose=1"), "unknown query parameter 'verbose' (this endpoint takes no query parameters)");
  EXPECT_EQ(error_of("/metrics?x"), "unknown query parameter 'x' (this endpoint takes no query parameters)");
}

TEST_F(ServerListing, ALabelFloodIsRefused) {
  std::string url = "/v1/builds?";
  for (int i = 0; i < 17; ++i) url += "label=k" + std::to_string(i) + "=v&";
  EXPECT_EQ(error_of(url), "query parameter label: given 17 times, at most 16");
  EXPECT_EQ(error_of("/v1/builds?label=k=" + std::string(300, 'v')).rfind("query parameter label.k: label value of 300 bytes", 0), 0u);

  Json many = Json::object();
  for (int i = 0; i < 33; ++i) many["k" + std::to_string(i)] = "v";
  const auto refusal = [](const std::string& path, const Json& body) {
    const HttpReply r = server_->request("POST", path, body.dump());
    EXPECT_EQ(r.status, 400) << r.body;
    return r.json().value("error", "");
  };
  EXPECT_EQ(refusal("/v1/builds", build(many)), "labels: 33 labels, more than 32");
  EXPECT_EQ(refusal("/v1/builds", build({{std::string(64, 'k'), "v"}})).rfind("labels: label key '" + std::string(64, 'k') + "' must be", 0), 0u);
  EXPECT_EQ(refusal("/v1/builds", build({{"k", std::string(257, 'v')}})), "labels.k: label value of 257 bytes is longer than 256");
  EXPECT_EQ(refusal("/v1/builds", build({{"k", "a\nb"}})), "labels.k: label value holds a control character");
  EXPECT_EQ(refusal("/v1/builds", build({{"k", 1}})), "labels.k: expected a string");
  EXPECT_EQ(refusal("/v1/builds", build(Json::array({"k=v"}))), "labels: expected an object of string labels");
  // A batch's 20 and a build's own 20 are 40 on that build.
  Json twenty = Json::object(), other = Json::object();
  for (int i = 0; i < 20; ++i) twenty["b" + std::to_string(i)] = "v", other["o" + std::to_string(i)] = "v";
  EXPECT_EQ(refusal("/v1/batches", Json{{"labels", twenty}, {"builds", Json::array({build(other)})}}),
            "builds[0].labels: 40 labels with the batch's, more than 32");
}

TEST_F(ServerListing, ForgedOrForeignCursorsAreRefused) {
  for (int i = 0; i < 3; ++i) submit({{"run", "cursor"}});
  const std::string cursor = server_->request("GET", "/v1/builds?label=run=cursor&limit=1").json()["next_cursor"];
  const std::string not_issued = "query parameter cursor: not a cursor this server issued (altered or truncated)";
  EXPECT_EQ(error_of("/v1/builds?label=run=cursor&cursor=garbage"), not_issued);
  EXPECT_EQ(error_of("/v1/builds?label=run=cursor&cursor=" + std::string(5000, 'A')), not_issued);
  EXPECT_EQ(error_of("/v1/builds?label=run=cursor&cursor=" + cursor.substr(0, cursor.size() - 4)), not_issued);
  std::string flipped = cursor;
  flipped[flipped.size() / 2] = flipped[flipped.size() / 2] == 'A' ? 'B' : 'A';
  EXPECT_EQ(error_of("/v1/builds?label=run=cursor&cursor=" + flipped), not_issued);
  EXPECT_EQ(error_of("/v1/builds?label=run=other&cursor=" + cursor).rfind("query parameter cursor: continues a listing with other filters", 0), 0u);
  EXPECT_EQ(error_of("/v1/builds?cursor=" + cursor).rfind("query parameter cursor: continues a listing with other filters", 0), 0u);
  EXPECT_EQ(error_of("/v1/batches?label=run=cursor&cursor=" + cursor), "query parameter cursor: continues builds, not this listing");
  // The cursor survives a restart of the server: it is sealed with the server's own key file.
  server_->terminate();
  server_->restart();
  EXPECT_EQ(server_->request("GET", "/v1/builds?label=run=cursor&limit=1&cursor=" + cursor).json()["builds"].size(), 1u);
}

TEST_F(ServerListing, BatchesAreListedNewestFirstByDoneAndLabels) {
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    const HttpReply r = server_->request("POST", "/v1/batches", Json{{"labels", {{"set", "batches"}}}, {"builds", Json::array({build()})}}.dump());
    ASSERT_EQ(r.status, 201) << r.body;
    ids.push_back(r.json()["id"]);
  }
  for (const auto& id : ids) server_->wait_batch(id);
  EXPECT_EQ(all_pages("/v1/batches?label=set=batches&limit=2", "batches"), std::vector<std::string>(ids.rbegin(), ids.rend()));
  const Json done = server_->request("GET", "/v1/batches?label=set=batches&done=true").json();
  ASSERT_EQ(done["batches"].size(), 3u);
  const Json& summary = done["batches"][0];
  using LabelMap = std::map<std::string, std::string>;
  EXPECT_EQ(summary["labels"].get<LabelMap>(), (LabelMap{{"set", "batches"}}));
  EXPECT_EQ(summary["build_count"], 1);
  EXPECT_EQ(summary["counts"], (Json{{"failed", 1}}));
  EXPECT_FALSE(summary.contains("builds")) << "a listing leaves each batch's builds out";
  EXPECT_TRUE(server_->request("GET", "/v1/batches?label=set=batches&done=false").json()["batches"].empty());
}

}  // namespace kiln::testing
