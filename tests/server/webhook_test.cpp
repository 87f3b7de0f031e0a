// Webhooks against the real kiln-server: the body is signed with the server's key (checked by
// Python's hmac, not kiln's code), retried with backoff on 5xx and no answer, never redirected,
// refused for hosts off the allow-list, resumed after kill -9, and sent once for a whole batch.
// The receiver is a Poco HTTP server on 127.0.0.1 written in the test (webhook_receiver.h).
#include <gtest/gtest.h>

#include <fstream>

#include "tests/server/build_env.h"
#include "tests/server/server_fixture.h"
#include "tests/server/webhook_receiver.h"
#include "tests/support/tools.h"

namespace kiln::testing {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

const std::string kDigest = "sha256:" + std::string(64, 'd');

// A stand-in kiln-plugin: "succeeds" at once with a fixed digest, or fails when its tag says so.
fs::path quick_plugin(const fs::path& dir) {
  const auto script = dir / "kiln-plugin-quick.sh";
  std::ofstream(script) << "#!/bin/sh\nsleep 0.2\n[ \"$PLUGIN_TAGS\" = fail ] && { echo 'it failed'; exit 1; }\n"
                        << "echo " << kDigest << " > \"$PLUGIN_DIGEST_FILE\"\n";
  fs::permissions(script, fs::perms::owner_all);
  return script;
}

// How a receiver checks a delivery (as docs/server.md shows): Python's hmac over the raw body.
bool signature_verifies(const fs::path& key_file, const std::string& body, const std::string& header) {
  const std::string check =
      "import hashlib, hmac, sys\n"
      "key = open(sys.argv[1], 'rb').read().strip()\n"
      "want = 'sha256=' + hmac.new(key, sys.stdin.buffer.read(), hashlib.sha256).hexdigest()\n"
      "print('ok' if hmac.compare_digest(want, sys.argv[2]) else 'bad')\n";
  return run_ok({"python3", "-c", check, key_file.string(), header}, {.input = body}) == "ok\n";
}

// How many rows the server's webhooks table holds for `subject_id`, read with Python's sqlite3
// beside the running server (its database is in WAL mode).
int webhook_rows(const fs::path& database, const std::string& subject_id) {
  const std::string count = run_ok({"/usr/bin/python3", "-c",
                                    "import sqlite3, sys\n"
                                    "db = sqlite3.connect(sys.argv[1], timeout=30)\n"
                                    "print(db.execute('SELECT COUNT(*) FROM webhooks WHERE subject_id = ?', (sys.argv[2],)).fetchone()[0])\n",
                                    database.string(), subject_id});
  return std::stoi(count);
}

class Webhooks : public ::testing::Test {
 protected:
  Webhooks() {
    fs::create_directories(work.path() / "roots/app");
    std::ofstream(work.path() / "roots/app/Dockerfile") << "FROM scratch\n";
  }

  ServerOptions options(std::map<std::string, std::string> extra = {}, int concurrency = 2) const {
    std::map<std::string, std::string> keys = {{"plugin_binary", quick_plugin(work.path()).string()},
                                               {"webhook_allow_hosts", "127.0.0.1:" + std::to_string(receiver.port())},
                                               {"webhook_allow_http", "true"},
                                               {"webhook_retry_base", "300ms"},
                                               {"webhook_timeout", "2s"}};
    for (const auto& [k, v] : extra) keys[k] = v;
    return {.concurrency = concurrency, .context_roots = {work.path() / "roots"}, .extra = keys};
  }

  Json build(const std::string& tag = "v1", const std::string& url = "") const {
    Json b = {{"settings", {{"repo", "127.0.0.1:1/app"}, {"tags", tag}}}, {"context", (work.path() / "roots/app").string()}};
    if (!url.empty()) b["webhook"] = {{"url", url}};
    return b;
  }

  /// Polls GET `path` until its webhook leaves `waiting`/`pending` (bounded).
  static Json wait_webhook(const ServerProcess& server, const std::string& path, seconds limit = seconds(30)) {
    Json subject;
    for (const auto until = Clock::now() + limit; Clock::now() < until; std::this_thread::sleep_for(milliseconds(50))) {
      subject = server.request("GET", path).json();
      const std::string state = subject["webhook"].value("state", "");
      if (state == "delivered" || state == "failed") return subject;
    }
    ADD_FAILURE() << path << ": webhook not done: " << subject.dump();
    return subject;
  }

  TempDir work{"kiln-server-webhook"};
  WebhookReceiver receiver;
};

}  // namespace

TEST_F(Webhooks, SignedBodyCarriesTheFinalStateAndVerifiesWithTheServersKey) {
  BuildEnv env;
  auto opts = env.server_options(1);
  opts.extra = {{"webhook_allow_hosts", "127.0.0.1:" + std::to_string(receiver.port())}, {"webhook_allow_http", "true"}};
  ServerProcess server(env.work.path() / "data", opts);
  Json submitted = env.build("hooked/app", Json::array({"v1"}));
  submitted["webhook"] = {{"url", receiver.url("/hook?team=a")}};
  const Json created = server.submit(submitted);
  const std::string id = created["id"];
  EXPECT_EQ(created["webhook"]["state"], "waiting") << created.dump();
  EXPECT_EQ(created["webhook"]["url"], receiver.url("/hook?team=a"));

  const Json done = wait_webhook(server, "/v1/builds/" + id, seconds(120));
  ASSERT_EQ(done["state"], "succeeded") << done.dump();
  EXPECT_EQ(done["webhook"]["state"], "delivered") << done.dump();
  EXPECT_EQ(done["webhook"]["attempts"], 1);
  EXPECT_EQ(done["webhook"]["last_status"], 200);
  const auto got = receiver.received();
  ASSERT_EQ(got.size(), 1u);
  const ReceivedHook& hook = got[0];
  EXPECT_EQ(hook.path, "/hook?team=a");
  EXPECT_EQ(hook.headers.at("Content-Type"), "application/json");
  EXPECT_EQ(hook.headers.at("X-Kiln-Event"), "build.finished");
  const Json body = Json::parse(hook.body);
  EXPECT_EQ(body["event"], "build.finished");
  EXPECT_EQ(body["delivery_id"], hook.headers.at("X-Kiln-Delivery"));
  EXPECT_EQ(body["delivery_id"], done["webhook"]["delivery_id"]);
  EXPECT_EQ(std::to_string(body["timestamp"].get<std::int64_t>()), hook.headers.at("X-Kiln-Timestamp"));
  EXPECT_LE(std::abs(body["timestamp"].get<std::int64_t>() - std::time(nullptr)), 60);
  EXPECT_EQ(body["attempt"], 1);
  EXPECT_EQ(body["build"]["id"], id);
  EXPECT_EQ(body["build"]["state"], "succeeded");
  EXPECT_EQ(body["build"]["digest"], env.skopeo_digest("hooked/app", "v1"));
  EXPECT_EQ(body["build"]["finished_ms"], done["finished_ms"]);
  EXPECT_FALSE(body["build"].contains("settings")) << "no setting's value is ever sent";
  EXPECT_EQ(hook.body.find(env.registry.host()), std::string::npos) << hook.body;

  // The key was made at first start, private; the signature is HMAC-SHA256 of the raw body.
  const fs::path key = env.work.path() / "data" / "webhook.secret";
  EXPECT_EQ(fs::status(key).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
  const std::string signature = hook.headers.at("X-Kiln-Signature-256");
  EXPECT_TRUE(signature.starts_with("sha256=")) << signature;
  EXPECT_TRUE(signature_verifies(key, hook.body, signature));
  std::string altered = hook.body;
  altered.replace(altered.find("succeeded"), 9, "failed!!!");
  EXPECT_FALSE(signature_verifies(key, altered, signature));
  EXPECT_EQ(server.output().find("/hook?team=a"), std::string::npos) << "the URL (it may hold a token) stays out of the log";
}

TEST_F(Webhooks, ASecretFileOfTheOperatorSignsInsteadOfTheGeneratedOne) {
  const fs::path key = work.path() / "operator.key";
  {
    std::ofstream(key) << "operator-chosen-webhook-key-0123\n";
  }
  fs::permissions(key, fs::perms::owner_read | fs::perms::owner_write);
  ServerProcess server(work.path() / "data", options({{"webhook_secret_file", key.string()}}));
  const std::string id = server.submit(build("v1", receiver.url()))["id"];
  EXPECT_EQ(wait_webhook(server, "/v1/builds/" + id)["webhook"]["state"], "delivered");
  const auto got = receiver.received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(signature_verifies(key, got[0].body, got[0].headers.at("X-Kiln-Signature-256")));
  EXPECT_FALSE(fs::exists(work.path() / "data" / "webhook.secret"));
}

// A self-signed certificate for `san` ("IP:127.0.0.1", "DNS:other.example"), made by openssl.
ReceiverTls make_certificate(const fs::path& dir, const std::string& san) {
  const ReceiverTls files{.cert = (dir / "receiver.crt").string(), .key = (dir / "receiver.key").string()};
  run_ok({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=kiln-webhook-test", "-addext",
          "subjectAltName=" + san, "-keyout", files.key, "-out", files.cert});
  return files;
}

TEST_F(Webhooks, HttpsReceiversAreVerifiedAgainstTheSystemsTrustedCertificates) {
  const ReceiverTls tls = make_certificate(work.path(), "IP:127.0.0.1");
  WebhookReceiver secure(&tls);
  auto opts = options({{"webhook_allow_http", "false"}, {"webhook_allow_hosts", "127.0.0.1:" + std::to_string(secure.port())}});
  opts.env = {{"SSL_CERT_FILE", tls.cert}};  // OpenSSL's trust store: the system's, here this one certificate
  ServerProcess server(work.path() / "data", opts);
  const std::string id = server.submit(build("v1", secure.url()))["id"];
  const Json done = wait_webhook(server, "/v1/builds/" + id);
  EXPECT_EQ(done["webhook"]["state"], "delivered") << done.dump();
  ASSERT_EQ(secure.received().size(), 1u);
  EXPECT_TRUE(signature_verifies(work.path() / "data" / "webhook.secret", secure.received()[0].body,
                                 secure.received()[0].headers.at("X-Kiln-Signature-256")));
}

TEST_F(Webhooks, AnHttpsReceiverWhoseCertificateNamesAnotherHostGetsNothing) {
  // Trusted, but issued for other.example: the handshake fails before a byte of the body leaves.
  const ReceiverTls tls = make_certificate(work.path(), "DNS:other.example");
  WebhookReceiver secure(&tls);
  auto opts = options({{"webhook_allow_http", "false"}, {"webhook_allow_hosts", "127.0.0.1:" + std::to_string(secure.port())},
                       {"webhook_max_attempts", "2"}});
  opts.env = {{"SSL_CERT_FILE", tls.cert}};
  ServerProcess server(work.path() / "data", opts);
  const std::string id = server.submit(build("v1", secure.url()))["id"];
  const Json done = wait_webhook(server, "/v1/builds/" + id);
  EXPECT_EQ(done["webhook"]["state"], "failed") << done.dump();
  EXPECT_EQ(done["webhook"]["attempts"], 2);
  EXPECT_NE(done["webhook"]["last_error"].get<std::string>().find("cannot reach the receiver"), std::string::npos) << done.dump();
  EXPECT_TRUE(secure.received().empty());
}

TEST_F(Webhooks, FiveHundredTwiceThenOkTakesThreeAttemptsWithBackoffAndRetryAfter) {
  // The second failure asks for 2 s with Retry-After; the backoff alone would wait 0.3–0.6 s.
  receiver.script({{.status = 500}, {.status = 503, .headers = {{"Retry-After", "2"}}}});
  ServerProcess server(work.path() / "data", options());
  const std::string id = server.submit(build("v1", receiver.url()))["id"];
  const Json done = wait_webhook(server, "/v1/builds/" + id);
  EXPECT_EQ(done["state"], "succeeded");
  EXPECT_EQ(done["webhook"]["state"], "delivered") << done.dump();
  EXPECT_EQ(done["webhook"]["attempts"], 3);
  EXPECT_EQ(done["webhook"]["last_status"], 200);
  const auto got = receiver.received();
  ASSERT_EQ(got.size(), 3u);
  const fs::path key = work.path() / "data" / "webhook.secret";
  for (std::size_t i = 0; i < got.size(); ++i) {
    const Json body = Json::parse(got[i].body);
    EXPECT_EQ(body["attempt"], static_cast<int>(i) + 1);
    EXPECT_EQ(got[i].headers.at("X-Kiln-Delivery"), got[0].headers.at("X-Kiln-Delivery")) << "one delivery, three attempts";
    EXPECT_TRUE(signature_verifies(key, got[i].body, got[i].headers.at("X-Kiln-Signature-256"))) << i;
  }
  EXPECT_GE(got[1].at - got[0].at, milliseconds(140)) << "backoff: at least half of webhook_retry_base";
  EXPECT_GE(got[2].at - got[1].at, milliseconds(1900)) << "Retry-After: 2 honoured";
}

TEST_F(Webhooks, RetryAfterIsHonouredOnlyUpToRetryMax) {
  receiver.script({{.status = 429, .headers = {{"Retry-After", "3600"}}}});
  ServerProcess server(work.path() / "data", options({{"webhook_retry_max", "1s"}}));
  const std::string id = server.submit(build("v1", receiver.url()))["id"];
  ASSERT_TRUE(receiver.wait_for(2, seconds(20)));
  const auto got = receiver.received();
  EXPECT_LT(got[1].at - got[0].at, seconds(3));
  EXPECT_EQ(wait_webhook(server, "/v1/builds/" + id)["webhook"]["attempts"], 2);
}

TEST_F(Webhooks, AClientErrorIsNotRetried) {
  receiver.script({{.status = 404}, {.status = 200}});
  ServerProcess server(work.path() / "data", options());
  const std::string id = server.submit(build("v1", receiver.url()))["id"];
  const Json done = wait_webhook(server, "/v1/builds/" + id);
  EXPECT_EQ(done["webhook"]["state"], "failed");
  EXPECT_EQ(done["webhook"]["attempts"], 1);
  EXPECT_EQ(done["webhook"]["last_status"], 404);
  EXPECT_NE(done["webhook"]["last_error"].get<std::string>().find("answered 404"), std::string::npos) << done.dump();
  std::this_thread::sleep_for(milliseconds(800));
  EXPECT_EQ(receiver.received().size(), 1u);
}

TEST_F(Webhooks, ARedirectIsNotFollowed) {
  receiver.script({{.status = 302, .headers = {{"Location", receiver.url("/elsewhere")}}}});
  ServerProcess server(work.path() / "data", options());
  const std::string id = server.submit(build("v1", receiver.url()))["id"];
  const Json done = wait_webhook(server, "/v1/builds/" + id);
  EXPECT_EQ(done["webhook"]["state"], "failed") << done.dump();
  EXPECT_EQ(done["webhook"]["attempts"], 1);
  EXPECT_EQ(done["webhook"]["last_status"], 302);
  EXPECT_NE(done["webhook"]["last_error"].get<std::string>().find("do not follow redirects"), std::string::npos);
  std::this_thread::sleep_for(milliseconds(800));
  const auto got = receiver.received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].path, "/hook");
}

TEST_F(Webhooks, AReceiverThatNeverAnswersIsCutAtTheTimeoutAndHoldsNoBuildSlot) {
  receiver.script({}, {.never_answer = true});
  // One build slot: the second build runs while the first one's webhook hangs.
  ServerProcess server(work.path() / "data", options({{"webhook_timeout", "3s"}, {"webhook_max_attempts", "2"}}, 1));
  const std::string first = server.submit(build("v1", receiver.url()))["id"];
  ASSERT_TRUE(receiver.wait_for(1, seconds(20)));
  const auto hanging_since = receiver.received()[0].at;
  const std::string second = server.submit(build("v2"))["id"];
  EXPECT_EQ(server.wait_build(second, seconds(20))["state"], "succeeded");
  EXPECT_LT(Clock::now() - hanging_since, seconds(3)) << "the second build ran while the webhook attempt still hung";
  EXPECT_EQ(receiver.received().size(), 1u);

  const Json done = wait_webhook(server, "/v1/builds/" + first);
  EXPECT_EQ(done["state"], "succeeded") << "a webhook never changes its build's state";
  EXPECT_EQ(done["webhook"]["state"], "failed") << done.dump();
  EXPECT_EQ(done["webhook"]["attempts"], 2);
  EXPECT_EQ(done["webhook"]["last_status"], 0);
  EXPECT_NE(done["webhook"]["last_error"].get<std::string>().find("webhook_max_attempts"), std::string::npos) << done.dump();
  EXPECT_NE(done["webhook"]["last_error"].get<std::string>().find("within webhook_timeout"), std::string::npos) << done.dump();
  const auto got = receiver.received();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_GE(got[1].at - got[0].at, milliseconds(3000)) << "the first attempt was waited for up to webhook_timeout";
  EXPECT_LT(got[1].at - got[0].at, milliseconds(5500)) << "and cut there";
}

TEST_F(Webhooks, SubmissionRefusesWhatTheAllowListAndTheRulesDoNotAllow) {
  ServerProcess server(work.path() / "data", options({{"webhook_allow_http", "false"},
                                                      {"webhook_allow_hosts", "hooks.example.com, 127.0.0.1:" + std::to_string(receiver.port())}}));
  const auto refused = [&](const Json& webhook, const std::string& why, const std::string& path = "/v1/builds") {
    Json b = build();
    b["webhook"] = webhook;
    const Json submission = path == "/v1/builds" ? b : Json{{"builds", Json::array({build()})}, {"webhook", webhook}};
    const HttpReply r = server.request("POST", path, submission.dump());
    EXPECT_EQ(r.status, 400) << webhook.dump() << " " << r.body;
    EXPECT_NE(r.body.find(why), std::string::npos) << r.body;
  };
  const std::string port = std::to_string(receiver.port());
  refused({{"url", "https://evil.example.net/hook"}}, "webhook.url: host 'evil.example.net' (port 443) is not on this server's webhook_allow_hosts");
  refused({{"url", "https://evil.example.net/hook"}}, "not on this server's webhook_allow_hosts", "/v1/batches");
  refused({{"url", "https://127.0.0.1:1/hook"}}, "host '127.0.0.1' (port 1) is not on");
  refused({{"url", "https://hooks.example.com.evil.net/"}}, "is not on this server's webhook_allow_hosts");
  refused({{"url", receiver.url()}}, "webhook.url: plain http:// is refused");
  refused({{"url", "https://user:pw@hooks.example.com/"}}, "webhook.url: must not carry user info");
  refused({{"url", "/relative/hook"}}, "webhook.url: expected an absolute http(s) URL");
  refused({{"url", "ftp://hooks.example.com/"}}, "webhook.url: expected an absolute http(s) URL");
  refused({{"url", "https://hooks.example.com/" + std::string(3000, 'a')}}, "webhook.url: longer than 2048 characters");
  refused({{"url", 42}}, "webhook.url: expected a string");
  refused({{"url", "https://hooks.example.com/"}, {"events", "all"}}, "webhook: unknown field 'events'");
  refused("https://hooks.example.com/", "webhook: expected an object");
  // What is allowed passes: a listed host on any port, a listed host:port.
  Json ok = build();
  ok["webhook"] = {{"url", "https://hooks.example.com:8443/x"}};
  EXPECT_EQ(server.request("POST", "/v1/builds", ok.dump()).status, 201);
  ok["webhook"] = {{"url", "https://127.0.0.1:" + port + "/x"}};
  EXPECT_EQ(server.request("POST", "/v1/builds", ok.dump()).status, 201);
  // A webhook belongs to a build or to the whole batch, not to one build of a batch.
  Json inner = build();
  inner["webhook"] = {{"url", "https://hooks.example.com/"}};
  const HttpReply r = server.request("POST", "/v1/batches", Json{{"builds", Json::array({inner})}}.dump());
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("builds[0]: unknown field 'webhook'"), std::string::npos) << r.body;
  EXPECT_EQ(server.request("GET", "/v1/builds").json()["builds"].size(), 2u) << "nothing refused was queued";
}

TEST_F(Webhooks, AServerWithoutAnAllowListRefusesEveryWebhook) {
  auto opts = options();
  opts.extra.erase("webhook_allow_hosts");
  ServerProcess server(work.path() / "data", opts);
  const HttpReply r = server.request("POST", "/v1/builds", build("v1", receiver.url()).dump());
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("webhook.url: this server allows no webhook hosts (its webhook_allow_hosts is empty)"), std::string::npos)
      << r.body;
}

TEST_F(Webhooks, AnAllowedNameThatResolvesToLoopbackIsRefusedAtDelivery) {
  // "localhost" is on the list by name: its address is checked when the webhook is sent.
  ServerProcess server(work.path() / "data", options({{"webhook_allow_hosts", "localhost"}}));
  const std::string id = server.submit(build("v1", "http://localhost:" + std::to_string(receiver.port()) + "/hook"))["id"];
  const Json done = wait_webhook(server, "/v1/builds/" + id);
  EXPECT_EQ(done["webhook"]["state"], "failed") << done.dump();
  EXPECT_NE(done["webhook"]["last_error"].get<std::string>().find("resolved to 127.0.0.1"), std::string::npos) << done.dump();
  EXPECT_TRUE(receiver.received().empty());
}

TEST_F(Webhooks, TheAllowListIsCheckedAgainAtDelivery) {
  receiver.script({{.status = 500}});
  const fs::path data = work.path() / "data";
  std::string id;
  {
    ServerProcess server(data, options({{"webhook_retry_base", "3s"}}));
    id = server.submit(build("v1", receiver.url()))["id"];
    ASSERT_TRUE(receiver.wait_for(1, seconds(20)));
    EXPECT_EQ(server.terminate(), 0);
  }
  // Restarted with the receiver taken off the list while its delivery was pending.
  ServerProcess server(data, options({{"webhook_allow_hosts", "hooks.example.com"}}));
  const Json done = wait_webhook(server, "/v1/builds/" + id);
  EXPECT_EQ(done["webhook"]["state"], "failed") << done.dump();
  EXPECT_NE(done["webhook"]["last_error"].get<std::string>().find("no longer allowed"), std::string::npos) << done.dump();
  EXPECT_EQ(receiver.received().size(), 1u);
}

TEST_F(Webhooks, KillNineWithAPendingDeliveryThenRestartDeliversIt) {
  receiver.script({{.status = 500}});
  const fs::path data = work.path() / "data";
  ServerProcess server(data, options({{"webhook_retry_base", "4s"}}));
  const std::string id = server.submit(build("v1", receiver.url()))["id"];
  ASSERT_TRUE(receiver.wait_for(1, seconds(20)));
  Json pending;
  for (int i = 0; i < 100; ++i, std::this_thread::sleep_for(milliseconds(20))) {
    pending = server.request("GET", "/v1/builds/" + id).json();
    if (pending["webhook"]["last_status"] == 500) break;
  }
  ASSERT_EQ(pending["webhook"]["state"], "pending") << pending.dump();
  ASSERT_EQ(pending["webhook"]["attempts"], 1);
  EXPECT_GT(pending["webhook"]["next_attempt_ms"].get<std::int64_t>(), pending["finished_ms"].get<std::int64_t>());
  server.kill9();
  EXPECT_EQ(run_ok({"sqlite3", (data / "kiln-server.db").string(), "SELECT state, attempts FROM webhooks WHERE subject_id = '" + id + "'"}),
            "pending|1\n");

  server.restart();
  const Json done = wait_webhook(server, "/v1/builds/" + id);
  EXPECT_EQ(done["webhook"]["state"], "delivered") << done.dump();
  EXPECT_EQ(done["webhook"]["attempts"], 2);
  const auto got = receiver.received();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].headers.at("X-Kiln-Delivery"), got[1].headers.at("X-Kiln-Delivery"));
  EXPECT_EQ(Json::parse(got[1].body)["attempt"], 2);
  EXPECT_GE(got[1].at - got[0].at, seconds(2)) << "the restart kept the backoff";
}

TEST_F(Webhooks, ABatchWebhookFiresOnceWhenTheWholeBatchIsFinal) {
  ServerProcess server(work.path() / "data", options({}, 1));
  const Json batch = {{"builds", Json::array({build("a"), build("fail"), build("c")})}, {"webhook", {{"url", receiver.url("/batch")}}}};
  const HttpReply created = server.request("POST", "/v1/batches", batch.dump());
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = created.json()["id"];
  EXPECT_EQ(created.json()["webhook"]["state"], "waiting");

  ASSERT_TRUE(receiver.wait_for(1, seconds(30)));
  const Json finished = server.request("GET", "/v1/batches/" + id).json();
  EXPECT_EQ(finished["done"], true) << "sent only once every build had ended: " << finished.dump();
  std::this_thread::sleep_for(seconds(1));
  const auto got = receiver.received();
  ASSERT_EQ(got.size(), 1u) << "one delivery for the batch, none per build";
  EXPECT_EQ(got[0].headers.at("X-Kiln-Event"), "batch.finished");
  const Json body = Json::parse(got[0].body);
  EXPECT_EQ(body["event"], "batch.finished");
  EXPECT_EQ(body["batch"]["id"], id);
  EXPECT_EQ(body["batch"]["state"], "failed");
  EXPECT_EQ(body["batch"]["counts"]["succeeded"], 2);
  EXPECT_EQ(body["batch"]["counts"]["failed"], 1);
  EXPECT_EQ(body["batch"]["counts"].size(), 2u);
  ASSERT_EQ(body["batch"]["builds"].size(), 3u);
  std::int64_t last = 0;
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(body["batch"]["builds"][i]["id"], finished["builds"][i]["id"]);
    EXPECT_EQ(body["batch"]["builds"][i]["state"], finished["builds"][i]["state"]);
    last = std::max(last, finished["builds"][i]["finished_ms"].get<std::int64_t>());
  }
  EXPECT_EQ(body["batch"]["builds"][0]["digest"], kDigest);
  EXPECT_EQ(body["batch"]["finished_ms"], last);
  EXPECT_TRUE(signature_verifies(work.path() / "data" / "webhook.secret", got[0].body, got[0].headers.at("X-Kiln-Signature-256")));
  const Json view = wait_webhook(server, "/v1/batches/" + id);
  EXPECT_EQ(view["webhook"]["state"], "delivered");
  EXPECT_EQ(view["webhook"]["delivery_id"], body["delivery_id"]);
  for (const auto& b : view["builds"]) EXPECT_FALSE(b.contains("webhook"));
}

TEST_F(Webhooks, ACancelledBatchStillReportsItsEnd) {
  // A plugin that never finishes by itself: the batch ends only by its cancel.
  const fs::path slow = work.path() / "kiln-plugin-slow.sh";
  std::ofstream(slow) << "#!/bin/sh\nexec sleep 30\n";
  fs::permissions(slow, fs::perms::owner_all);
  ServerProcess server(work.path() / "data", options({{"plugin_binary", slow.string()}}, 1));
  const HttpReply created = server.request(
      "POST", "/v1/batches", Json{{"builds", Json::array({build("a"), build("b")})}, {"webhook", {{"url", receiver.url()}}}}.dump());
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = created.json()["id"];
  std::this_thread::sleep_for(milliseconds(500));
  EXPECT_TRUE(receiver.received().empty()) << "nothing is sent while builds run";
  EXPECT_EQ(server.request("POST", "/v1/batches/" + id + "/cancel").status, 202);
  ASSERT_TRUE(receiver.wait_for(1, seconds(30)));
  const Json body = Json::parse(receiver.received()[0].body);
  EXPECT_EQ(body["batch"]["state"], "cancelled");
  EXPECT_EQ(body["batch"]["counts"], (Json{{"cancelled", 2}}));
}

// Deleting a build does not leave its webhook row behind for ever (retention deletes builds
// too, so the table would only grow): the row goes once nothing is left to deliver. A delivery
// still pending is made first, and the rows of builds that remain are kept.
TEST_F(Webhooks, ADeletedBuildLeavesNoWebhookRowOnceItsDeliveryHasEnded) {
  receiver.script({{.status = 503, .headers = {{"Retry-After", "2"}}}});
  ServerProcess server(work.path() / "data", options());
  const fs::path database = work.path() / "data" / "kiln-server.db";
  const std::string pending = server.submit(build("v1", receiver.url("/pending")))["id"];
  ASSERT_TRUE(receiver.wait_for(1, seconds(30)));  // refused: due again in 2 s
  // Deleted once the server has recorded the refusal: a delete that races the webhook store's
  // write can still fail with "DB locked" (a 500; not yet fixed), which is not this test's subject.
  for (const auto until = Clock::now() + seconds(10); Clock::now() < until; std::this_thread::sleep_for(milliseconds(50)))
    if (server.request("GET", "/v1/builds/" + pending).json()["webhook"].value("last_status", 0) == 503) break;
  const HttpReply deleted = server.request("DELETE", "/v1/builds/" + pending);
  ASSERT_EQ(deleted.status, 204) << deleted.body << server.output();
  ASSERT_TRUE(receiver.wait_for(2, seconds(30))) << "the pending delivery of a deleted build was not made";
  EXPECT_EQ(receiver.received()[1].path, "/pending");

  const std::string delivered = server.submit(build("v2", receiver.url("/delivered")))["id"];
  const std::string kept = server.submit(build("v3", receiver.url("/kept")))["id"];
  EXPECT_EQ(wait_webhook(server, "/v1/builds/" + delivered)["webhook"]["state"], "delivered");
  EXPECT_EQ(wait_webhook(server, "/v1/builds/" + kept)["webhook"]["state"], "delivered");
  ASSERT_EQ(webhook_rows(database, delivered), 1);
  ASSERT_EQ(server.request("DELETE", "/v1/builds/" + delivered).status, 204);

  int left = 0;
  for (const auto until = Clock::now() + seconds(20); Clock::now() < until; std::this_thread::sleep_for(milliseconds(250))) {
    left = webhook_rows(database, pending) + webhook_rows(database, delivered);
    if (left == 0) break;
  }
  EXPECT_EQ(left, 0) << "the deleted builds' webhook rows are still in the table";
  EXPECT_EQ(webhook_rows(database, kept), 1);
  EXPECT_EQ(server.request("GET", "/v1/builds/" + kept).json()["webhook"]["state"], "delivered");
}

}  // namespace kiln::testing
