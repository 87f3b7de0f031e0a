// kiln-server: builds as a service. Reads its configuration once, recovers the queue left by
// the previous run, chooses the engine once, then serves the API until SIGINT / SIGTERM.
#include <Poco/Net/Context.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/TCPServer.h>
#include <Poco/ThreadPool.h>
#include <fcntl.h>
#include <signal.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <iterator>

#include "core/error.h"
#include "core/log.h"
#include "core/program.h"
#include "core/unique_fd.h"
#include "server/api/openapi_markdown.h"
#include "server/api/router.h"
#include "server/auth/token_auth.h"
#include "server/config/program_location.h"
#include "server/config/server_config.h"
#include "server/engine/make_engine.h"
#include "server/http/connection_watchdog.h"
#include "server/http/guarded_connections.h"
#include "server/logs/log_streams.h"
#include "server/queue/retention.h"
#include "server/store/private_directory.h"
#include "server/webhooks/webhook_service.h"

namespace {

using namespace kiln;
using namespace kiln::server;

std::filesystem::path own_dir(const char* argv0) {
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::absolute(argv0).parent_path() : self.parent_path();
}

Poco::Net::ServerSocket listen_socket(const ServerConfig& config) {
  const Poco::Net::SocketAddress address(config.listen);
  if (config.tls_cert.empty()) return Poco::Net::ServerSocket(address);
  Poco::Net::Context::Ptr tls = new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, config.tls_key, config.tls_cert,
                                                       "", Poco::Net::Context::VERIFY_NONE);
  tls->disableProtocols(Poco::Net::Context::PROTO_SSLV2 | Poco::Net::Context::PROTO_SSLV3 | Poco::Net::Context::PROTO_TLSV1 |
                        Poco::Net::Context::PROTO_TLSV1_1);
  return Poco::Net::SecureServerSocket(address, 64, tls);
}

// The database holds every build's settings and the sealed secrets: created 0600 before SQLite
// opens it (SQLite gives its journal files the database's mode).
void make_private_file(const std::filesystem::path& file) {
  const UniqueFd fd(::open(file.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
  if (!fd || ::fchmod(fd.get(), 0600) != 0) throw_infra(fmt::format("{}: cannot create it with mode 0600", file.string()));
}

int run(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    std::cout << server_help_text();
    return 0;
  }
  if (!args.empty() && args[0] == "api-reference") {
    std::cout << openapi_markdown();
    return 0;
  }
  if (!args.empty() && args[0] == "hash-token") {
    std::string token(std::istreambuf_iterator<char>(std::cin), {});
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
    if (token.empty()) throw_usage("hash-token: give the token on standard input");
    std::cout << sha256_hex(token) << "\n";
    return 0;
  }
  ServerConfig config = load_server_config(Env::from_process(), args);
  const auto dir = own_dir(argv[0]);
  config.plugin_binary = locate_program(config.plugin_binary, dir, "kiln-plugin", "plugin");
  config.verify_binary = locate_program(config.verify_binary, dir, "kiln-verify", "verify");
  log::setup(log::parse_level(config.log_level));

  // SIGINT / SIGTERM are taken by sigwait() below; every thread started from here inherits the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  // The data dir holds the secret key, the database, every client's uploads and each running
  // build's credentials: nothing in it is for other local users.
  if (!std::filesystem::exists(config.data_dir)) create_private_directory(config.data_dir);
  const std::filesystem::path data_dir = std::filesystem::canonical(config.data_dir);
  create_private_directory(data_dir / "contexts");
  make_private_file(config.database);
  SecretBox secrets(data_dir / "secret.key");
  BuildStore store(config.database.string(), secrets);
  const RecoveryReport recovered = store.recover();
  if (recovered.requeued + recovered.failed > 0)
    spdlog::warn("previous run ended abruptly: {} running build(s) re-queued, {} failed after a second interruption",
                 recovered.requeued, recovered.failed);

  const ContextLocations contexts{.data_dir = data_dir, .uploads = data_dir / "contexts", .roots = config.context_roots};
  const std::unique_ptr<Engine> engine = make_engine(config, dir);
  Metrics metrics;
  const bool remote = config.engine != "local";
  BuildQueue queue(store, *engine, metrics,
                   {.concurrency = config.concurrency,
                    .logs_dir = data_dir / "logs",
                    .reports_dir = data_dir / "reports",
                    .log_cap_bytes = config.log_cap_bytes,
                    .verify_binary = config.verify_binary,
                    .build_timeout = config.build_timeout,
                    .context_base_url = remote ? config.kubernetes.context_base_url : "",
                    .temp_dir = data_dir / "tmp",
                    .contexts = contexts});
  // At start, before any worker, then every retention_interval.
  const RetentionSweeper retention(store, queue, contexts,
                                   {.max_age = config.retention_max_age, .max_builds = config.retention_max_builds,
                                    .interval = config.retention_interval});
  TokenAuth auth(config.token_sha256);
  RateLimiter limiter(config.rate_limit, config.rate_burst);
  // Before the log streams: a stream keeps its connection counted in the watchdog until it closes.
  ConnectionWatchdog watchdog({.header_timeout = std::chrono::seconds(config.header_timeout_seconds),
                               .body_timeout = std::chrono::seconds(config.body_timeout_seconds),
                               .body_min_rate = config.body_min_rate,
                               .max_per_client = config.max_connections_per_client});
  LogStreams log_streams({.live = [&](const std::string& id) { return queue.live_log(id); },
                          .final_state = [&](const std::string& id) -> std::optional<std::string> {
                            const auto record = store.get(id);
                            if (!record) return "";
                            if (!is_final(record->state)) return std::nullopt;
                            return to_string(record->state);
                          },
                          .file = [&](const std::string& id) { return queue.log_file(id); }},
                         config.max_log_streams);
  // The webhook key: the operator's file, or one made in the data dir at first start.
  const bool own_webhook_key = config.webhooks.secret_file.empty();
  WebhookService webhooks(config.webhooks,
                          WebhookSigner(own_webhook_key ? data_dir / "webhook.secret" : config.webhooks.secret_file, own_webhook_key),
                          config.database.string(), store);
  ApiContext context{config, store, queue, metrics, auth, limiter, contexts, log_streams, webhooks, secrets};

  Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(64);
  params->setMaxQueued(256);
  params->setKeepAlive(true);
  // A connection dispatcher thread that missed Poco's stop notification lingers until its idle
  // time ends, and the thread pool's destructor waits for it: 10 s by default, seen as a
  // SIGTERM that took 10 s to end the server.
  params->setThreadIdleTime(Poco::Timespan(1, 0));
  // Log streams are handed to their own thread (LogStreams): request threads only answer requests.
  Poco::ThreadPool pool(4, 64);
  Poco::Net::TCPServer http(new GuardedConnectionFactory(params, new Router(context), watchdog), pool, listen_socket(config),
                            params);
  http.setConnectionFilter(new AcceptFilter(watchdog));
  http.start();
  queue.start();
  webhooks.start();
  std::cout << "kiln-server listening on " << (config.tls_cert.empty() ? "http" : "https") << "://"
            << http.socket().address().toString() << " (engine " << engine->name() << ", concurrency "
            << config.concurrency << ")" << std::endl;

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  spdlog::info("signal {}: stopping; running builds go back to the queue", signal_number);
  queue.stop();
  http.stop();
  watchdog.close_all();  // ends requests still being served; ~LogStreams closes the log streams
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return kiln::run_main([&] { return run(argc, argv); });
}
