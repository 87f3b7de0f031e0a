// kiln-server-followers-bench: does the API stay responsive while many clients follow a batch's
// logs? A real kiln-server runs a batch of B builds at once; N followers hold
// GET /v1/builds/{id}/log streams open on them (spread over the builds) and read every line;
// meanwhile the client times GET /healthz, GET /v1/builds/{id} and GET /v1/batches/{id}, and
// compares with the same requests before any follower. Target: answers under 100 ms with 500
// followers. It also reports how fast the followers received lines and how long after the
// builds ended every stream had its end event.
//
// The builds are a stand-in kiln-plugin (a perl script) that prints a line every 20 ms until
// released: what is measured is the server's streaming, and a real build would be over before
// 500 followers are attached. The server does the same work per line whoever printed it.
//
//   kiln-server-followers-bench [--followers N] [--builds B] [--requests R]
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/PollSet.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
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
#include "fixtures/local_registry.h"
#include "oci/json.h"

namespace {

using kiln::oci::Json;
using Clock = std::chrono::steady_clock;
constexpr const char* kToken = "bench-token";

constexpr const char* kUsage =
    "kiln-server-followers-bench: API latency of kiln-server while N clients follow a batch's logs\n\n"
    "usage: kiln-server-followers-bench [--followers N] [--builds B] [--requests R]\n"
    "  --followers N  log streams held open during the measurement (default 500)\n"
    "  --builds B     builds of the batch, all running at once, the streams spread over them (default 10)\n"
    "  --requests R   timed requests of each kind, before and with the followers (default 200)\n";

struct Percentiles {
  double p50, p99, max;
};

Percentiles percentiles(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  const auto at = [&](double q) { return ms[std::min(ms.size() - 1, static_cast<std::size_t>(q * static_cast<double>(ms.size())))]; };
  return {at(0.5), at(0.99), ms.back()};
}

class Api {
 public:
  explicit Api(int port) : port_(port) {}
  std::pair<int, std::string> call(const std::string& method, const std::string& path, const std::string& body = "") const {
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port_));
    session.setTimeout(Poco::Timespan(30, 0));
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
  /// Milliseconds of R calls of each path (a fresh connection each, as a CI client makes them).
  std::vector<std::pair<std::string, Percentiles>> time(const std::vector<std::string>& paths, int requests) const {
    std::vector<std::pair<std::string, Percentiles>> out;
    for (const auto& path : paths) {
      std::vector<double> ms;
      for (int i = 0; i < requests; ++i)
        ms.push_back(kiln::bench::milliseconds_of([&] {
          if (call("GET", path).first != 200) throw std::runtime_error("GET " + path + " failed");
        }));
      out.emplace_back(path, percentiles(ms));
    }
    return out;
  }

 private:
  int port_;
};

// The followers: sockets that sent their GET and are read, all of them, by one thread.
class Followers {
 public:
  Followers(int port, const std::vector<std::string>& builds, int count) {
    for (int i = 0; i < count; ++i) {
      Poco::Net::StreamSocket socket(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)));
      const std::string request = "GET /v1/builds/" + builds[static_cast<std::size_t>(i) % builds.size()] +
                                  "/log HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + kToken + "\r\n\r\n";
      socket.sendBytes(request.data(), static_cast<int>(request.size()));
      // Attached one after another: wait for the status line before the next.
      char buffer[4096];
      socket.setReceiveTimeout(Poco::Timespan(30, 0));
      const int n = socket.receiveBytes(buffer, sizeof buffer);
      const std::string head(buffer, static_cast<std::size_t>(std::max(n, 0)));
      if (head.rfind("HTTP/1.1 200", 0) != 0) throw std::runtime_error("follower " + std::to_string(i) + " refused: " + head);
      streams_.push_back({socket, head.find("event: end") != std::string::npos, count_lines(head)});
    }
    // Read from once all are attached, so that attaching is timed alone (no socket is added to
    // the set while another thread polls it). Meanwhile the server holds back what it could not
    // send, as for any slow reader, and the followers catch up from line 1 once read.
    for (const auto& s : streams_) poll_.add(s.socket, Poco::Net::PollSet::POLL_READ);
    reader_ = std::thread([this] { read(); });
  }
  ~Followers() {
    stop_ = true;
    reader_.join();
  }
  std::int64_t lines() const { return lines_.load(); }
  int ended() const { return ended_.load(); }

 private:
  struct Stream {
    Poco::Net::StreamSocket socket;
    bool ended;
    std::int64_t lines;
  };
  static std::int64_t count_lines(const std::string& text) {
    std::int64_t n = 0;
    for (std::size_t at = 0; (at = text.find("data: ", at)) != std::string::npos; at += 6) ++n;
    return n;
  }
  void read() {
    char buffer[65536];
    while (!stop_) {
      for (auto& [socket, mode] : poll_.poll(Poco::Timespan(0, 100000))) {
        const int n = Poco::Net::StreamSocket(socket).receiveBytes(buffer, sizeof buffer);
        auto it = std::find_if(streams_.begin(), streams_.end(), [&](const Stream& s) { return s.socket == socket; });
        if (n <= 0 || it == streams_.end()) {
          poll_.remove(socket);
          continue;
        }
        const std::string text(buffer, static_cast<std::size_t>(n));
        lines_ += count_lines(text);
        if (!it->ended && text.find("event: end") != std::string::npos) {
          it->ended = true;
          ++ended_;
        }
      }
    }
  }

  std::vector<Stream> streams_;
  Poco::Net::PollSet poll_;
  std::atomic<std::int64_t> lines_{0};
  std::atomic<int> ended_{0};
  std::atomic<bool> stop_{false};
  std::thread reader_;
};

int run(int followers, int builds, int requests) {
  kiln::TempDir work("kiln-server-followers-bench");
  const auto context = work.path() / "context";
  std::filesystem::create_directories(context);
  std::ofstream(context / "Dockerfile") << "FROM scratch\n";
  const auto release = work.path() / "release";
  const auto plugin = work.path() / "kiln-plugin-stand-in.sh";
  // One process per build (perl-base is in every Debian): a shell loop would spawn `sleep` 50
  // times a second per build, and that load would be measured instead of the server.
  std::ofstream(plugin) << "#!/usr/bin/perl\n"
                           "$| = 1;\n"
                           "for my $i (0 .. 15000) {\n"
                           "  last if -e '" << release.string() << "';\n"
                           "  print \"step $i of a long build\\n\";\n"
                           "  select(undef, undef, undef, 0.02);\n"
                           "}\n"
                           "open(my $digest, '>', $ENV{PLUGIN_DIGEST_FILE}) or exit 3;\n"
                           "print $digest \"sha256:\" . ('0' x 64) . \"\\n\";\n";
  std::filesystem::permissions(plugin, std::filesystem::perms::owner_all);

  const int port = kiln::fixtures::free_port();
  const std::string hash = kiln::run_process({KILN_SERVER_BINARY, "hash-token"}, {.input = kToken}).out.substr(0, 64);
  kiln::ChildProcess server({KILN_SERVER_BINARY, "--listen", "127.0.0.1:" + std::to_string(port), "--data_dir",
                             (work.path() / "data").string(), "--concurrency", std::to_string(builds), "--plugin_binary",
                             plugin.string(), "--token_sha256", hash, "--rate_limit", "100000", "--rate_burst", "100000",
                             "--log_level", "warn", "--context_roots", context.string(), "--max_log_streams",
                             std::to_string(followers + 10),
                             // Every follower comes from 127.0.0.1, and a log stream counts toward its
                             // client's connections until it closes.
                             "--max_connections_per_client", std::to_string(followers + 50)});
  if (!server.wait_for_output("kiln-server listening on", std::chrono::seconds(20))) {
    std::cerr << server.output();
    return 3;
  }
  const Api api(port);
  Json list = Json::array();
  for (int i = 0; i < builds; ++i)
    list.push_back(Json{{"settings", {{"repo", "127.0.0.1:1/bench/app"}, {"tags", "f" + std::to_string(i)}}}, {"context", context.string()}});
  const auto [status, body] = api.call("POST", "/v1/batches", Json{{"builds", list}}.dump());
  if (status != 201) {
    std::cerr << "POST /v1/batches: " << status << " " << body;
    return 3;
  }
  const Json batch = Json::parse(body);
  std::vector<std::string> ids;
  for (const auto& b : batch["builds"]) ids.push_back(b["id"]);
  const std::vector<std::string> paths = {"/healthz", "/v1/builds/" + ids.front(), "/v1/batches/" + batch["id"].get<std::string>()};

  const auto before = api.time(paths, requests);
  std::unique_ptr<Followers> readers;
  const double attached_ms = kiln::bench::milliseconds_of([&] { readers = std::make_unique<Followers>(port, ids, followers); });
  const std::int64_t lines_before = readers->lines();
  const double server_cpu_before = kiln::bench::process_cpu_seconds(server.pid(), false);
  const auto measured_from = Clock::now();
  const auto with = api.time(paths, requests);
  const double seconds = std::chrono::duration<double>(Clock::now() - measured_from).count();
  const double server_cores = (kiln::bench::process_cpu_seconds(server.pid(), false) - server_cpu_before) / seconds;
  const double lines_per_s = static_cast<double>(readers->lines() - lines_before) / seconds;

  std::ofstream(release) << "go\n";
  const auto released = Clock::now();
  while (readers->ended() < followers && Clock::now() - released < std::chrono::minutes(2))
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  const double end_ms = std::chrono::duration<double, std::milli>(Clock::now() - released).count();
  const int ended = readers->ended();
  readers.reset();

  std::string load;
  std::getline(std::ifstream("/proc/loadavg"), load);
  std::cout << fmt::format("kiln-server-followers-bench: {} followers on a batch of {} running builds, {} requests each, {} cores "
                           "(load average at the end: {})\n",
                           followers, builds, requests, std::thread::hardware_concurrency(), load.substr(0, load.find(' ', 10)));
  std::cout << fmt::format("  attaching the {} followers, one after another   {:.0f} ms ({:.2f} ms each)\n", followers,
                           attached_ms, attached_ms / followers);
  for (std::size_t i = 0; i < paths.size(); ++i) {
    const std::string name = i == 0 ? "GET /healthz" : i == 1 ? "GET /v1/builds/{id}" : "GET /v1/batches/{id}";
    std::cout << fmt::format("  {:<22} no followers: p50 {:6.2f} ms  p99 {:6.2f} ms  max {:6.2f} ms\n", name,
                             before[i].second.p50, before[i].second.p99, before[i].second.max);
    std::cout << fmt::format("  {:<22} {} followers: p50 {:6.2f} ms  p99 {:6.2f} ms  max {:6.2f} ms  {}\n", "", followers,
                             with[i].second.p50, with[i].second.p99, with[i].second.max,
                             with[i].second.max < 100 ? "(under 100 ms: holds)" : "(over 100 ms: target missed)");
  }
  std::cout << fmt::format("  lines delivered to the followers meanwhile (backlog from line 1, then live)  {:.0f} lines/s\n", lines_per_s);
  std::cout << fmt::format("  kiln-server's CPU meanwhile (its threads, not the builds)  {:.2f} cores\n", server_cores);
  std::cout << fmt::format("  builds released -> every stream's end event     {:.0f} ms ({} of {} streams ended)\n", end_ms,
                           ended, followers);
  return ended == followers ? 0 : 3;
}

}  // namespace

int main(int argc, char** argv) {
  int followers = 500, builds = 10, requests = 200;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      std::cout << kUsage;
      return 0;
    }
    if (i + 1 >= argc || (flag != "--followers" && flag != "--builds" && flag != "--requests")) {
      std::cerr << "kiln-server-followers-bench: unknown flag or missing value: " << flag << "\n\n" << kUsage;
      return 2;
    }
    const int value = std::atoi(argv[++i]);
    if (value < 1) {
      std::cerr << flag << ": expected a positive number\n";
      return 2;
    }
    (flag == "--followers" ? followers : flag == "--builds" ? builds : requests) = value;
  }
  try {
    return run(followers, builds, requests);
  } catch (const std::exception& e) {
    std::cerr << "kiln-server-followers-bench: " << e.what() << "\n";
    return 3;
  }
}
