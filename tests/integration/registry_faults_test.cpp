// kiln-plugin and kiln-verify, the real executables, pushing to and reading from a real
// docker-registry through a proxy that injects faults (tests/support/fault_proxy.h): a transient
// fault is retried and the build gives the digest it gives without faults; a persistent one
// fails with exit 3 in a bounded time, names the registry and the operation, and never moves a
// tag; a manifest is never sent before its blobs; and 20 concurrent builds into one registry
// all land with the right digests.
#include <gtest/gtest.h>

#include <Poco/URI.h>
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <set>

#include "core/temp_dir.h"
#include "oci/credentials/credential.h"
#include "oci/json.h"
#include "oci/registry/client.h"
#include "tests/support/busybox_image.h"
#include "tests/support/fault_proxy.h"
#include "tests/support/local_registry.h"
#include "tests/support/tools.h"

namespace kiln::testing {
namespace {

namespace fs = std::filesystem;
using oci::Json;
using Clock = std::chrono::steady_clock;

constexpr const char* kEpoch = "1700000000";
// Request paths of the pushes under test (every repository under faults/).
constexpr const char* kUploads = "/v2/faults/.+/blobs/uploads/.*";
constexpr const char* kManifests = "/v2/faults/.+/manifests/.+";

// kiln's retry settings (oci/registry/client.h, retry.h): 4 attempts, waits of 0.2, 0.4 and
// 0.8 s with at most +20% jitter, so 1.7 s of waiting before a persistent fault is reported.
constexpr int kAttempts = 4;

struct Timed {
  ProcessResult result;
  std::chrono::milliseconds took{};
};

class RegistryFaults : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    registry_ = new LocalRegistry();
    proxy_ = new FaultProxy(registry_->host());
    work_ = new TempDir("kiln-faults-test");
    fs::create_directories(work_->path() / "docker");
    oci::RegistryClient client(registry_->host(), std::make_shared<oci::AnonymousKeychain>(),
                               oci::RegistryOptions{.insecure = true});
    push_busybox_base(client, {.repository = "base/busybox", .tag = "1"});
    // The same build without faults, through the proxy: what every faulted build must give.
    const Timed reference = build(settings("faults/reference"));
    ASSERT_EQ(reference.result.exit_code, 0) << reference.result.err;
    reference_digest_ = digest_in(reference.result.out);
    reference_took_ = reference.took;
    ASSERT_FALSE(reference_digest_.empty()) << reference.result.out;
  }
  static void TearDownTestSuite() {
    delete work_;
    delete proxy_;
    delete registry_;
  }
  void SetUp() override { proxy_->reset(); }

  // A Drone step's settings for the demo build, registry and base named through the proxy.
  static std::map<std::string, std::string> settings(const std::string& repo, const std::string& via = "") {
    const std::string host = via.empty() ? proxy_->host() : via;
    return {{"PLUGIN_REPO", host + "/" + repo},
            {"PLUGIN_BASE_IMAGE", host + "/base/busybox:1"},
            {"PLUGIN_BINARY", KILN_HELLO_BINARY},
            {"PLUGIN_INSECURE", "true"},
            {"SOURCE_DATE_EPOCH", kEpoch},
            {"DOCKER_CONFIG", (work_->path() / "docker").string()}};
  }

  static Timed build(const std::map<std::string, std::string>& env) {
    const auto start = Clock::now();
    ProcessResult r = run_plugin(env);
    return Timed{.result = std::move(r),
               .took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start)};
  }

  static std::string inspect_digest(const std::string& ref) {
    return Json::parse(run_ok({"skopeo", "inspect", "--tls-verify=false", "docker://" + ref}))["Digest"];
  }

  static std::string log_text() {
    std::string text;
    for (const ProxiedRequest& r : proxy_->log())
      text += fmt::format("  {} {}{}{} -> {}{}\n", r.method, r.path, r.query.empty() ? "" : "?",
                          r.query.substr(0, 80), r.status, r.faulted ? " (fault)" : "");
    return text;
  }

  // Every blob the pushed manifest names was established in `repo` (upload PUT 201, mount
  // 201 or HEAD 200) before the first manifest PUT into `repo`, and no blob was written after it.
  static void expect_manifest_after_blobs(const std::string& repo) {
    const std::vector<ProxiedRequest> log = proxy_->log();
    const std::string manifests = "/v2/" + repo + "/manifests/";
    const std::string blobs = "/v2/" + repo + "/blobs/";
    std::size_t manifest_put = log.size();
    for (std::size_t i = 0; i < log.size() && manifest_put == log.size(); ++i)
      if (log[i].method == "PUT" && log[i].path.starts_with(manifests)) manifest_put = i;
    ASSERT_LT(manifest_put, log.size()) << "no manifest PUT into " << repo << "\n" << log_text();
    for (std::size_t i = manifest_put; i < log.size(); ++i) {
      const bool blob_write = log[i].path.starts_with(blobs) && log[i].method != "GET" && log[i].method != "HEAD";
      EXPECT_FALSE(blob_write) << "blob request after the manifest PUT: " << log[i].method << " " << log[i].path
                               << "\n" << log_text();
    }
    const Json manifest = Json::parse(run_ok({"skopeo", "inspect", "--raw", "--tls-verify=false",
                                              "docker://" + registry_->host() + "/" + repo + ":latest"}));
    std::vector<std::string> needed{manifest["config"]["digest"].get<std::string>()};
    for (const Json& layer : manifest["layers"]) needed.push_back(layer["digest"]);
    for (const std::string& digest : needed) {
      bool established = false;
      for (std::size_t i = 0; i < manifest_put && !established; ++i) {
        const ProxiedRequest& r = log[i];
        std::string query;
        Poco::URI::decode(r.query, query);
        established = (r.method == "PUT" && r.path.starts_with(blobs + "uploads/") && r.status == 201 &&
                       query.find("digest=" + digest) != std::string::npos) ||
                      (r.method == "POST" && r.status == 201 && query.find("mount=" + digest) != std::string::npos) ||
                      (r.method == "HEAD" && r.path == blobs + digest && r.status == 200);
      }
      EXPECT_TRUE(established) << digest << " was not in " << repo << " before its manifest\n" << log_text();
    }
  }

  static int count(const std::string& method, const std::string& path_prefix) {
    int n = 0;
    for (const ProxiedRequest& r : proxy_->log()) n += r.method == method && r.path.starts_with(path_prefix);
    return n;
  }

  static LocalRegistry* registry_;
  static FaultProxy* proxy_;
  static TempDir* work_;
  static std::string reference_digest_;
  static std::chrono::milliseconds reference_took_;
};

LocalRegistry* RegistryFaults::registry_ = nullptr;
FaultProxy* RegistryFaults::proxy_ = nullptr;
TempDir* RegistryFaults::work_ = nullptr;
std::string RegistryFaults::reference_digest_;
std::chrono::milliseconds RegistryFaults::reference_took_{};

struct Transient {
  std::string name;
  std::vector<FaultRule> rules;
  std::chrono::milliseconds at_least{0};  ///< a Retry-After or stall the build must have waited
  bool push_direct = false;  ///< push to the registry itself, so the base is copied across through the proxy
};

}  // namespace

// Each fault happens once or twice, then the registry behaves: the build retries through it and
// pushes exactly the image it pushes without faults, manifest last.
TEST_F(RegistryFaults, TransientFaultsAreRetriedAndGiveTheSameDigest) {
  using A = FaultAction;
  const std::vector<Transient> table{
      {"reset mid-body of the streamed layer PATCH", {{.method = "PATCH", .path = kUploads, .action = A::reset_request_body}}},
      {"reset mid-body of the layer PUT (after the streamed upload failed)",
       {{.method = "PATCH", .path = kUploads, .action = A::reset_request_body, .times = FaultRule::kAlways},
        {.method = "PUT", .path = kUploads, .action = A::reset_request_body}}},
      {"reset mid-body of the base config GET", {{.method = "GET", .path = kBaseBlobs, .action = A::reset_response_body}}},
      {"reset mid-body of the base manifest GET",
       {{.method = "GET", .path = kBaseManifests, .action = A::reset_response_body}}},
      {"500 once on the manifest PUT", {{.method = "PUT", .path = kManifests, .status = 500}}},
      {"502 twice on the blob upload PUT", {{.method = "PUT", .path = kUploads, .times = 2, .status = 502}}},
      {"503 twice on the base config GET", {{.method = "GET", .path = kBaseBlobs, .times = 2, .status = 503}}},
      {"503 once on the base manifest GET", {{.method = "GET", .path = kBaseManifests, .status = 503}}},
      {"503 on the second blob upload POST", {{.method = "POST", .path = kUploads, .nth = 2, .status = 503}}},
      {"429 without Retry-After on the manifest PUT", {{.method = "PUT", .path = kManifests, .status = 429}}},
      {"429 with Retry-After: 2 on the manifest PUT",
       {{.method = "PUT", .path = kManifests, .status = 429, .retry_after = 2}}, std::chrono::seconds(2)},
      {"reset mid-body of a base layer GET copied into another registry (download resumed with Range)",
       {{.method = "GET", .path = kBaseBlobs, .action = A::reset_response_body, .nth = 2}}, {}, true},
      {"a 3 s stall of the manifest PUT (timeout 120 s)",
       {{.method = "PUT", .path = kManifests, .action = A::stall, .stall = std::chrono::seconds(3)}},
       std::chrono::seconds(3)},
  };
  int n = 0;
  for (const Transient& t : table) {
    SCOPED_TRACE(t.name);
    proxy_->reset();
    for (const FaultRule& rule : t.rules) proxy_->add(rule);
    const std::string repo = "faults/transient-" + std::to_string(++n);
    auto env = settings(repo);
    if (t.push_direct) env["PLUGIN_REPO"] = registry_->host() + "/" + repo;
    const Timed run = build(env);
    ASSERT_EQ(run.result.exit_code, 0) << run.result.err << log_text();
    EXPECT_EQ(digest_in(run.result.out), reference_digest_) << run.result.out;
    EXPECT_EQ(inspect_digest(registry_->host() + "/" + repo + ":latest"), reference_digest_);
    int faults = 0;
    for (const ProxiedRequest& r : proxy_->log()) faults += r.faulted;
    EXPECT_GE(faults, 1) << "the fault never happened\n" << log_text();
    EXPECT_GE(run.took, t.at_least);
    if (!t.push_direct) expect_manifest_after_blobs(repo);
    else EXPECT_NE(run.result.err.find("retrying GET blob base/busybox@"), std::string::npos) << run.result.err;
  }
}

// 503 forever on the manifest PUT of a build that would move a tag: kiln gives up after its
// attempts with exit 3, naming the registry and the operation, and the tag still names the
// image pushed before.
TEST_F(RegistryFaults, APersistentManifestFailureLeavesThePreviousTagAlone) {
  const std::string repo = "faults/keep";
  const Timed first = build(settings(repo));
  ASSERT_EQ(first.result.exit_code, 0) << first.result.err;
  const std::string before = digest_in(first.result.out);
  ASSERT_EQ(inspect_digest(registry_->host() + "/" + repo + ":latest"), before);

  proxy_->reset();
  proxy_->add({.method = "PUT", .path = kManifests, .times = FaultRule::kAlways, .status = 503});
  auto env = settings(repo);
  env["SOURCE_DATE_EPOCH"] = "1800000000";  // a different image for the same tag
  const Timed failed = build(env);
  EXPECT_EQ(failed.result.exit_code, 3) << failed.result.err;
  const std::string message = proxy_->host() + ": PUT manifest " + repo + ":latest: 503";
  EXPECT_NE(failed.result.err.find(message), std::string::npos) << "want: " << message << "\n" << failed.result.err;
  EXPECT_EQ(count("PUT", "/v2/" + repo + "/manifests/"), kAttempts) << log_text();
  // The fault-free build's time, 1.7 s of backoff, and 10 s for a loaded 2-core machine.
  EXPECT_LT(failed.took, reference_took_ + std::chrono::milliseconds(1700) + std::chrono::seconds(10));
  EXPECT_EQ(inspect_digest(registry_->host() + "/" + repo + ":latest"), before);
}

// 503 forever on every blob upload PUT: no manifest is even attempted.
TEST_F(RegistryFaults, APersistentBlobUploadFailureStopsBeforeAnyManifest) {
  const std::string repo = "faults/blob-down";
  const Timed first = build(settings(repo));
  ASSERT_EQ(first.result.exit_code, 0) << first.result.err;
  const std::string before = digest_in(first.result.out);

  proxy_->reset();
  proxy_->add({.method = "PUT", .path = kUploads, .times = FaultRule::kAlways, .status = 503});
  auto env = settings(repo);
  env["SOURCE_DATE_EPOCH"] = "1800000000";
  const Timed failed = build(env);
  EXPECT_EQ(failed.result.exit_code, 3) << failed.result.err;
  const std::string message = proxy_->host() + ": upload blob " + repo + "@sha256:";
  EXPECT_NE(failed.result.err.find(message), std::string::npos) << "want: " << message << "\n" << failed.result.err;
  EXPECT_NE(failed.result.err.find(": 503"), std::string::npos) << failed.result.err;
  EXPECT_EQ(count("PUT", "/v2/" + repo + "/manifests/"), 0) << log_text();
  // One failed streamed commit, then kAttempts uploads of the finished layer.
  EXPECT_EQ(count("PUT", "/v2/" + repo + "/blobs/uploads/"), 1 + kAttempts) << log_text();
  EXPECT_LT(failed.took, reference_took_ + std::chrono::milliseconds(1700) + std::chrono::seconds(10));
  EXPECT_EQ(inspect_digest(registry_->host() + "/" + repo + ":latest"), before);
}

// kiln-verify reads the pushed image through the proxy: once blob GETs fail for good it is
// an infrastructure failure (exit 3) that still leaves a JUnit report; a blip is retried.
TEST_F(RegistryFaults, VerifyExitsThreeAndStillWritesItsReportWhenBlobsCannotBeRead) {
  struct Row { std::string name; FaultRule rule; int exit_code; };
  const std::string image = proxy_->host() + "/faults/reference:latest";
  int n = 0;
  for (const Row& row : std::vector<Row>{
           {"503 forever on blob GET", {.method = "GET", .path = "/v2/faults/.+/blobs/.+", .times = FaultRule::kAlways}, 3},
           {"503 twice on blob GET", {.method = "GET", .path = "/v2/faults/.+/blobs/.+", .times = 2}, 0},
           {"reset mid-body of the first blob GET (the config)",
            {.method = "GET", .path = "/v2/faults/.+/blobs/.+", .action = FaultAction::reset_response_body}, 0},
           // The static driver streams a layer straight into libarchive, which cannot rewind:
           // a layer cut short is resumed with Range from the byte it stopped at.
           {"reset mid-body of the second blob GET (the top layer, streamed)",
            {.method = "GET", .path = "/v2/faults/.+/blobs/.+", .action = FaultAction::reset_response_body, .nth = 2},
            0},
           // Every resume cut short again: each attempt gets further, but the attempts run out.
           {"reset mid-body of every blob GET after the config",
            {.method = "GET", .path = "/v2/faults/.+/blobs/.+", .action = FaultAction::reset_response_body, .nth = 2,
             .times = FaultRule::kAlways},
            3},
       }) {
    SCOPED_TRACE(row.name);
    proxy_->reset();
    proxy_->add(row.rule);
    const fs::path junit = work_->path() / fmt::format("junit-{}.xml", ++n);
    ProcessOptions options;
    options.extra_env = {{"PLUGIN_IMAGE", image}, {"PLUGIN_DRIVER", "static"}, {"PLUGIN_INSECURE", "true"},
                         {"PLUGIN_JUNIT", junit.string()}, {"DOCKER_CONFIG", (work_->path() / "docker").string()}};
    options.timeout = std::chrono::seconds(120);
    const auto start = Clock::now();
    const ProcessResult r = run_process({KILN_VERIFY_BINARY}, options);
    EXPECT_EQ(r.exit_code, row.exit_code) << r.out << r.err << log_text();
    EXPECT_TRUE(fs::exists(junit)) << "no JUnit report\n" << r.err;
    EXPECT_LT(Clock::now() - start, std::chrono::seconds(30));
    if (row.rule.action == FaultAction::reset_response_body && row.rule.nth == 2) {
      // The retry asked for the rest only, and the registry answered with it.
      bool resumed = false;
      for (const ProxiedRequest& p : proxy_->settled_log())
        resumed = resumed || (p.range.starts_with("bytes=") && p.range != "bytes=0-" && p.range.ends_with("-") &&
                              (p.status == 206 || p.status == 0));
      EXPECT_TRUE(resumed) << "no Range request after the reset\n" << log_text();
      EXPECT_NE(r.err.find("resuming at byte"), std::string::npos) << r.err;
    }
    if (row.exit_code == 3) {
      EXPECT_NE(r.err.find(proxy_->host() + ": GET blob faults/reference@sha256:"), std::string::npos) << r.err;
      EXPECT_EQ(r.err.find("the content hashes to"), std::string::npos) << "a cut body is a network failure\n" << r.err;
      std::ifstream in(junit);
      const std::string xml(std::istreambuf_iterator<char>(in), {});
      EXPECT_NE(xml.find(proxy_->host()), std::string::npos) << "the report names the registry\n" << xml;
    }
  }
}

// The first GET /v2/ (the ping that finds out how to authenticate) is retried like every other
// request: a reset or a 503 there is a blip for kiln-plugin and kiln-verify alike; a 503 that
// lasts ends in exit 3 naming the registry and the ping after kiln's attempts.
TEST_F(RegistryFaults, TheFirstPingIsRetriedOnTransientFaults) {
  struct Row { std::string name; FaultRule rule; int exit_code; };
  const std::vector<Row> rows{
      {"reset mid-body of the first GET /v2/", {.method = "GET", .path = "/v2/", .action = FaultAction::reset_response_body}, 0},
      {"503 twice on GET /v2/", {.method = "GET", .path = "/v2/", .times = 2, .status = 503}, 0},
      {"503 forever on GET /v2/", {.method = "GET", .path = "/v2/", .times = FaultRule::kAlways, .status = 503}, 3},
  };
  int n = 0;
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    ++n;
    proxy_->reset();
    proxy_->add(row.rule);
    const Timed run = build(settings("faults/ping-" + std::to_string(n)));
    EXPECT_EQ(run.result.exit_code, row.exit_code) << run.result.err << log_text();
    ASSERT_FALSE(proxy_->log().empty());
    EXPECT_EQ(proxy_->log().front().path, "/v2/") << "the ping is the first request\n" << log_text();
    EXPECT_TRUE(proxy_->log().front().faulted) << log_text();
    if (row.exit_code == 0) {
      EXPECT_EQ(digest_in(run.result.out), reference_digest_) << run.result.out;
      // The ping runs inside the first operation's attempts, so that operation is retried.
      EXPECT_NE(run.result.err.find(proxy_->host() + ": ping: "), std::string::npos) << run.result.err;
      EXPECT_NE(run.result.err.find("retrying"), std::string::npos) << run.result.err;
    } else {
      EXPECT_NE(run.result.err.find(proxy_->host() + ": ping: 503"), std::string::npos) << run.result.err;
      EXPECT_EQ(count("GET", "/v2/"), kAttempts) << "bounded: one ping per attempt\n" << log_text();
      EXPECT_LT(run.took, reference_took_ + std::chrono::milliseconds(1700) + std::chrono::seconds(10));
    }

    proxy_->reset();
    proxy_->add(row.rule);
    const fs::path junit = work_->path() / fmt::format("junit-ping-{}.xml", n);
    ProcessOptions options;
    options.extra_env = {{"PLUGIN_IMAGE", proxy_->host() + "/faults/reference:latest"}, {"PLUGIN_DRIVER", "static"},
                         {"PLUGIN_INSECURE", "true"}, {"PLUGIN_JUNIT", junit.string()},
                         {"DOCKER_CONFIG", (work_->path() / "docker").string()}};
    options.timeout = std::chrono::seconds(120);
    const ProcessResult verify = run_process({KILN_VERIFY_BINARY}, options);
    EXPECT_EQ(verify.exit_code, row.exit_code) << verify.out << verify.err << log_text();
    EXPECT_TRUE(fs::exists(junit)) << "no JUnit report\n" << verify.err;
    EXPECT_TRUE(!proxy_->log().empty() && proxy_->log().front().faulted) << log_text();
    if (row.exit_code == 3) {
      EXPECT_NE(verify.err.find(proxy_->host()), std::string::npos) << verify.err;
    }
  }
}

// 20 builds of 20 different images at once into one registry (no proxy, no faults): every one
// succeeds, the registry holds what each printed, and each equals the same build run alone.
TEST_F(RegistryFaults, TwentyConcurrentBuildsIntoOneRegistryAllLandCorrectly) {
  constexpr int kBuilds = 20;
  const std::string host = registry_->host();
  std::vector<std::map<std::string, std::string>> envs;
  for (int i = 0; i < kBuilds; ++i) {
    // The hello binary with bytes appended: still a valid ELF program, a different layer.
    const fs::path binary = work_->path() / fmt::format("hello-{}", i);
    fs::copy_file(KILN_HELLO_BINARY, binary, fs::copy_options::overwrite_existing);
    std::ofstream(binary, std::ios::app | std::ios::binary) << "kiln load test image " << i << '\n';
    fs::permissions(binary, fs::perms(0755));
    auto env = settings(fmt::format("load/app-{}", i), host);
    env["PLUGIN_BINARY"] = binary.string();
    envs.push_back(std::move(env));
  }
  const auto start = Clock::now();
  std::vector<std::future<ProcessResult>> running;
  for (const auto& env : envs) running.push_back(std::async(std::launch::async, [&env] { return run_plugin(env); }));
  std::vector<std::string> digests;
  for (int i = 0; i < kBuilds; ++i) {
    const ProcessResult r = running[i].get();
    EXPECT_EQ(r.exit_code, 0) << i << ": " << r.err;
    digests.push_back(digest_in(r.out));
  }
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(120));
  EXPECT_EQ(std::set<std::string>(digests.begin(), digests.end()).size(), static_cast<std::size_t>(kBuilds));
  for (int i = 0; i < kBuilds; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(inspect_digest(fmt::format("{}/load/app-{}:latest", host, i)), digests[i]);
    auto alone = envs[i];
    alone["PLUGIN_REPO"] = fmt::format("{}/load-alone/app-{}", host, i);
    const ProcessResult r = run_plugin(alone);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(digest_in(r.out), digests[i]) << "a concurrent build differs from the same build alone";
  }
}

// 12 builds of the same image at once into one repository under 12 tags: the same layer and
// config are committed concurrently, and Distribution rewrites a blob's link file in place
// while other pushes PUT manifests naming it (moby/moby#22854). Every build still lands.
TEST_F(RegistryFaults, ConcurrentBuildsOfOneImageIntoOneRepositoryAllLand) {
  constexpr int kBuilds = 12;
  const std::string host = registry_->host();
  std::vector<std::map<std::string, std::string>> envs;
  for (int i = 0; i < kBuilds; ++i) {
    auto env = settings("load/shared", host);
    env["PLUGIN_TAGS"] = fmt::format("t{}", i);
    env["PLUGIN_LAYER_CACHE_DIR"] = "none";  // every build uploads the layer itself
    envs.push_back(std::move(env));
  }
  std::vector<std::future<ProcessResult>> running;
  for (const auto& env : envs) running.push_back(std::async(std::launch::async, [&env] { return run_plugin(env); }));
  std::set<std::string> digests;
  for (int i = 0; i < kBuilds; ++i) {
    const ProcessResult r = running[i].get();
    EXPECT_EQ(r.exit_code, 0) << i << ": " << r.err;
    digests.insert(digest_in(r.out));
  }
  ASSERT_EQ(digests.size(), 1u) << "the same inputs, the same image";
  for (int i = 0; i < kBuilds; ++i)
    EXPECT_EQ(inspect_digest(fmt::format("{}/load/shared:t{}", host, i)), *digests.begin()) << i;
}

}  // namespace kiln::testing
