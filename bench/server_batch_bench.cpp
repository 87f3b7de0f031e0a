// kiln-server-bench: what the server adds to builds (issue #8).
//
//   1. The same native build (the static hello binary on the busybox base, pushed to a real
//      docker-registry on 127.0.0.1) run --builds times one after another by kiln-plugin
//      directly: the sum of the individual build times, and their CPU (kiln-plugin's and the
//      registry's). Then the same builds C at a time, still without a server: what this
//      machine allows at that concurrency.
//   2. The same builds as one batch through a real kiln-server at --concurrency C: wall time
//      from the POST to the last build's end, against sum / C (the target, <= 1.2x),
//      against the C-at-a-time run (what the server itself adds), and against the CPU bound
//      (no batch beats the builds' CPU / cores). From the server's timestamps: how long builds
//      took side by side, and how much of the batch the C slots were busy.
//   3. API overhead per build: the round trip of POST /v1/builds and GET /v1/builds/{id}
//      (client-measured), and submit -> start (started_ms - created_ms) with an idle worker.
//   kiln-server-bench [--builds N] [--concurrency C]
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <iostream>
#include <thread>

#include "bench/workload.h"
#include "core/process.h"
#include "core/temp_dir.h"
#include "oci/json.h"
#include "server/engine/local_engine.h"
#include "server/engine/process_group_child.h"
#include "tests/support/busybox_image.h"
#include "tests/support/local_registry.h"

namespace {

using kiln::oci::Json;
using Clock = std::chrono::steady_clock;
constexpr const char* kToken = "bench-token";

struct Server {
  int port;
  std::unique_ptr<kiln::ChildProcess> process;

  std::pair<int, std::string> call(const std::string& method, const std::string& path, const std::string& body = "") const {
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
    Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    req.set("Authorization", std::string("Bearer ") + kToken);
    if (method == "POST") {
      req.setContentType("application/json");
      req.setContentLength(static_cast<std::streamsize>(body.size()));
    }
    session.sendRequest(req) << body;
    Poco::Net::HTTPResponse resp;
    std::string out;
    Poco::StreamCopier::copyToString(session.receiveResponse(resp), out);
    return {resp.getStatus(), out};
  }
  Json get(const std::string& path) const { return Json::parse(call("GET", path).second); }
};

bool final_state(const Json& build) { return build["state"] != "queued" && build["state"] != "running"; }

}  // namespace

constexpr const char* kUsage =
    "kiln-server-bench: a batch of native builds through a real kiln-server against the same builds run by\n"
    "kiln-plugin alone (one by one, and C at a time), and the API's overhead per build\n\n"
    "usage: kiln-server-bench [--builds N] [--concurrency C]\n"
    "  --builds N       builds in the batch and in each comparison run (default 50)\n"
    "  --concurrency C  the server's concurrency, and the builds run at once without it (default 2)\n";

int main(int argc, char** argv) {
  int builds = 50, concurrency = 2;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      std::cout << kUsage;
      return 0;
    }
    if (i + 1 >= argc || (flag != "--builds" && flag != "--concurrency")) {
      std::cerr << "kiln-server-bench: unknown flag or missing value: " << flag << "\n\n" << kUsage;
      return 2;
    }
    const int value = std::atoi(argv[++i]);
    if (value < 1) {
      std::cerr << "kiln-server-bench: " << flag << ": expected a positive number\n";
      return 2;
    }
    (flag == "--builds" ? builds : concurrency) = value;
  }
  kiln::testing::LocalRegistry registry;
  kiln::testing::push_busybox_base(*registry.client(), {.repository = "base/busybox", .tag = "1"});
  kiln::TempDir work("kiln-server-bench");
  const auto context = work.path() / "context";
  std::filesystem::create_directories(context);
  // In the context: kiln-server reads a build's files from its context only.
  std::filesystem::copy_file(KILN_HELLO_BINARY, context / "main");
  const auto settings = [&](const std::string& tag) {
    return Json{{"repo", registry.host() + "/bench/app"}, {"base_image", registry.host() + "/base/busybox:1"},
                {"binary", "main"}, {"insecure", true}, {"layer_cache_dir", "none"}, {"tags", tag}};
  };

  // kiln-plugin run directly, as a pipeline step would run it.
  // Spawned exactly as kiln-server's local engine spawns it (its own process group, a clean
  // environment), so the comparison holds the spawn cost equal.
  const auto run_plugin = [&](const std::string& tag) {
    std::map<std::string, std::string> env = kiln::server::clean_base_environment();
    const Json build = settings(tag);  // named: items() of a temporary would dangle
    for (const auto& [k, v] : build.items())
      env[kiln::server::plugin_variable(k)] = v.is_string() ? v.get<std::string>() : v.dump();
    env["DOCKER_CONFIG"] = (work.path() / "docker").string();
    std::string output;
    const std::atomic<bool> never{false};
    const kiln::server::GroupRun r = kiln::server::run_in_process_group(
        {KILN_PLUGIN_BINARY}, env, context, [&](std::string_view line) { (output += line) += '\n'; }, never);
    if (r.exit_code != 0) throw std::runtime_error("kiln-plugin failed: " + output);
  };

  // 1. Individually, kiln-plugin alone.
  std::vector<double> individual;
  const double plugin_cpu_before = kiln::bench::reaped_children_cpu_seconds();
  const double registry_cpu_before = kiln::bench::process_cpu_seconds(registry.pid(), false);
  for (int i = 0; i < builds; ++i)
    individual.push_back(kiln::bench::milliseconds_of([&] { run_plugin("solo" + std::to_string(i)); }));
  double sum_ms = 0;
  for (double ms : individual) sum_ms += ms;
  const double plugin_cpu_s = kiln::bench::reaped_children_cpu_seconds() - plugin_cpu_before;
  const double registry_cpu_s = kiln::bench::process_cpu_seconds(registry.pid(), false) - registry_cpu_before;

  // 1b. The same builds C at a time without a server (C threads, each running its share): what
  //     the machine itself allows at this concurrency, so the server's own cost can be told apart.
  const double direct_ms = kiln::bench::milliseconds_of([&] {
    std::atomic<int> next{0};
    std::vector<std::thread> lanes;
    for (int lane = 0; lane < concurrency; ++lane)
      lanes.emplace_back([&] {
        for (int i = next++; i < builds; i = next++) run_plugin("direct" + std::to_string(i));
      });
    for (auto& t : lanes) t.join();
  });

  // 2. The batch through kiln-server.
  const int port = kiln::testing::free_port();
  const std::string hash = kiln::run_process({KILN_SERVER_BINARY, "hash-token"}, {.input = kToken}).out.substr(0, 64);
  Server server{port, std::make_unique<kiln::ChildProcess>(std::vector<std::string>{
                          KILN_SERVER_BINARY, "--listen", "127.0.0.1:" + std::to_string(port), "--data_dir",
                          (work.path() / "data").string(), "--concurrency", std::to_string(concurrency), "--plugin_binary",
                          KILN_PLUGIN_BINARY, "--token_sha256", hash, "--rate_limit", "100000", "--rate_burst", "100000",
                          "--log_level", "warn", "--context_roots", context.string()})};
  if (!server.process->wait_for_output("kiln-server listening on", std::chrono::seconds(20))) {
    std::cerr << server.process->output();
    return 3;
  }
  Json list = Json::array();
  for (int i = 0; i < builds; ++i) list.push_back(Json{{"settings", settings("batch" + std::to_string(i))}, {"context", context.string()}});
  const double batch_registry_cpu_before = kiln::bench::process_cpu_seconds(registry.pid(), false);
  // The batch ends at the last build's finished_ms (the server's system clock, this machine's),
  // so the client's polling interval does not count; polling is slow enough not to load the server.
  const std::int64_t batch_start_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::chrono::system_clock::now().time_since_epoch()).count();
  const auto [status, body] = server.call("POST", "/v1/batches", Json{{"builds", list}}.dump());
  if (status != 201) {
    std::cerr << body;
    return 3;
  }
  const std::string batch = Json::parse(body)["id"];
  Json done;
  for (const auto deadline = Clock::now() + std::chrono::minutes(30); Clock::now() < deadline;) {
    done = server.get("/v1/batches/" + batch);
    if (done["done"] == true) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  // The server's own CPU and that of the kiln-plugin processes it has reaped.
  const double batch_server_cpu_s = kiln::bench::process_cpu_seconds(server.process->pid(), true);
  const double batch_registry_cpu_s = kiln::bench::process_cpu_seconds(registry.pid(), false) - batch_registry_cpu_before;
  if (done["counts"].value("succeeded", 0) != builds) {
    std::cerr << "batch did not succeed: " << done["counts"].dump() << "\n";
    return 3;
  }

  // Where the batch's time went, from the server's own timestamps: how long the builds took
  // side by side, and how much of the time the C slots were running one.
  std::vector<double> in_batch;
  double in_batch_sum = 0;
  std::int64_t last_finished_ms = batch_start_ms;
  for (const Json& b : done["builds"]) {
    last_finished_ms = std::max(last_finished_ms, b["finished_ms"].get<std::int64_t>());
    in_batch.push_back(static_cast<double>(b["finished_ms"].get<std::int64_t>() - b["started_ms"].get<std::int64_t>()));
    in_batch_sum += in_batch.back();
  }
  const double batch_ms = static_cast<double>(last_finished_ms - batch_start_ms);

  // 3. API overhead, one build at a time so a worker is always idle when it arrives.
  std::vector<double> post_ms, get_ms, start_ms;
  for (int i = 0; i < 20; ++i) {
    std::string id;
    post_ms.push_back(kiln::bench::milliseconds_of([&] {
      id = Json::parse(server.call("POST", "/v1/builds", Json{{"settings", settings("api" + std::to_string(i))}, {"context", context.string()}}.dump()).second)["id"];
    }));
    Json b;
    for (const auto deadline = Clock::now() + std::chrono::minutes(1); Clock::now() < deadline;) {
      b = server.get("/v1/builds/" + id);
      if (final_state(b)) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    start_ms.push_back(static_cast<double>(b["started_ms"].get<std::int64_t>() - b["created_ms"].get<std::int64_t>()));
  }
  for (int i = 0; i < 200; ++i)
    get_ms.push_back(kiln::bench::milliseconds_of([&] { server.get("/v1/builds/" + done["builds"][0]["id"].get<std::string>()); }));

  const double ideal_ms = sum_ms / concurrency;
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  // What the hardware allows: the individual builds' CPU spread over every core.
  const double cpu_bound_ms = 1000 * (plugin_cpu_s + registry_cpu_s) / cores;
  const double bound_ms = std::max(ideal_ms, cpu_bound_ms);
  std::cout << fmt::format("kiln-server-bench: {} native builds (hello on busybox, registry on 127.0.0.1), concurrency {}, {} cores\n",
                           builds, concurrency, std::thread::hardware_concurrency());
  std::cout << fmt::format("  individual build (kiln-plugin alone)  median {:.1f} ms, sum {:.0f} ms\n",
                           kiln::bench::stats(individual).median, sum_ms);
  std::cout << fmt::format("  batch through kiln-server             {:.0f} ms wall; sum/C = {:.0f} ms; ratio {:.2f}x (target <= 1.2x)\n",
                           batch_ms, ideal_ms, batch_ms / ideal_ms);
  std::cout << fmt::format("  the same builds, {} at a time, no server {:.0f} ms wall; batch / that = {:.2f}x (what the server adds)\n",
                           concurrency, direct_ms, batch_ms / direct_ms);
  std::cout << fmt::format("  builds inside the batch               median {:.0f} ms each; the {} slots ran builds {:.0f}% of the batch\n",
                           kiln::bench::stats(in_batch).median, concurrency, 100 * in_batch_sum / (concurrency * batch_ms));
  std::cout << fmt::format("  CPU of the individual builds           kiln-plugin {:.2f} s + docker-registry {:.2f} s = {:.2f} s "
                           "({:.2f} cores busy while a build runs)\n",
                           plugin_cpu_s, registry_cpu_s, plugin_cpu_s + registry_cpu_s,
                           (plugin_cpu_s + registry_cpu_s) * 1000 / sum_ms);
  std::cout << fmt::format("  CPU of the batch                       kiln-server and its builds {:.2f} s + docker-registry {:.2f} s\n",
                           batch_server_cpu_s, batch_registry_cpu_s);
  std::cout << fmt::format("  bound: max(sum/C, that CPU / {} cores) = {:.0f} ms; batch / bound = {:.2f}x\n", cores,
                           bound_ms, batch_ms / bound_ms);
  std::cout << fmt::format("  POST /v1/builds round trip            median {:.2f} ms\n", kiln::bench::stats(post_ms).median);
  std::cout << fmt::format("  GET /v1/builds/{{id}} round trip        median {:.2f} ms\n", kiln::bench::stats(get_ms).median);
  std::cout << fmt::format("  submit -> start, idle worker          median {:.0f} ms (ms resolution; target < 5 ms)\n",
                           kiln::bench::stats(start_ms).median);
  return 0;
}
