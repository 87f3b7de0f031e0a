#pragma once
// A real kiln-server process on 127.0.0.1 and a free port, with its own data dir, talked to
// with Poco's HTTP client. Shared by the tests in this folder (header-only: the test program
// globs *_test.cpp).
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "core/process.h"
#include "core/temp_dir.h"
#include "oci/json.h"
#include "tests/support/local_registry.h"

namespace kiln::testing {

using oci::Json;

inline constexpr const char* kToken = "test-token-0123456789";
// sha256("test-token-0123456789"), as `kiln-server hash-token` prints it.
inline std::string token_hash() { return run_process({KILN_SERVER_BINARY, "hash-token"}, {.input = kToken}).out.substr(0, 64); }

struct HttpReply {
  int status = 0;
  std::string reason;  ///< of the status line: "Unauthorized"
  std::string body;
  std::map<std::string, std::string> headers;
  Json json() const { return Json::parse(body); }
};

struct ServerOptions {
  int concurrency = 2;
  /// context_roots: where a build may name a server directory as its context (empty: uploads only).
  std::vector<std::filesystem::path> context_roots;
  std::map<std::string, std::string> extra;  ///< more config keys
  std::map<std::string, std::string> env;    ///< more variables in the server's environment
  /// Leaves plugin_binary and verify_binary unset: the server finds kiln-plugin and kiln-verify itself.
  bool default_programs = false;
  std::string working_dir;  ///< the server's working directory; empty: the test's
  std::vector<std::string> more_tokens;  ///< tokens accepted besides kToken
};

class ServerProcess {
 public:
  /// Starts kiln-server on `data_dir` (kept across restarts by the caller).
  ServerProcess(const std::filesystem::path& data_dir, ServerOptions options = {}) : data_dir_(data_dir), options_(std::move(options)) {
    std::filesystem::create_directories(data_dir_);
    port_ = free_port();
    start();
  }

  void start() {
    std::ofstream config(data_dir_ / "config.yaml");
    config << "listen: 127.0.0.1:" << port_ << "\n"
           << "data_dir: " << data_dir_.string() << "\n"
           << "concurrency: " << options_.concurrency << "\n"
           << "token_sha256: [" << token_hash();
    for (const auto& token : options_.more_tokens)
      config << ", " << run_process({KILN_SERVER_BINARY, "hash-token"}, {.input = token}).out.substr(0, 64);
    config << "]\n";
    if (!options_.default_programs)
      config << "plugin_binary: " << KILN_PLUGIN_BINARY << "\n"
             << "verify_binary: " << KILN_VERIFY_BINARY << "\n";
    if (!options_.context_roots.empty()) {
      config << "context_roots:\n";
      for (const auto& root : options_.context_roots) config << "  - " << root.string() << "\n";
    }
    for (const auto& [k, v] : options_.extra) config << k << ": " << v << "\n";
    config.close();
    // kiln-plugin's layer cache defaults to $XDG_CACHE_HOME/kiln/layers: this server's own, not the user's.
    auto env = options_.env;
    env.emplace("XDG_CACHE_HOME", (data_dir_ / "cache").string());
    process_ = std::make_unique<ChildProcess>(std::vector<std::string>{KILN_SERVER_BINARY, "--config", (data_dir_ / "config.yaml").string()},
                                              ProcessOptions{.input = {},
                                                             .extra_env = env,
                                                             .working_dir = options_.working_dir,
                                                             .timeout = {},
                                                             .on_output_line = {},
                                                             // Its shutdown stops running builds first.
                                                             .stop_grace = std::chrono::seconds(10)});
    if (!process_->wait_for_output("kiln-server listening on", std::chrono::seconds(20)))
      throw std::runtime_error("kiln-server did not start: " + process_->output());
  }

  /// SIGKILL: no clean-up of any kind, as a crash or an OOM kill.
  void kill9() {
    ::kill(process_->pid(), SIGKILL);
    process_->stop();
    output_before_ += process_->output();
    process_.reset();
  }
  /// SIGTERM (then SIGKILL after ChildProcess's grace period); returns the exit code.
  int terminate() {
    const int code = process_->stop();
    output_before_ += process_->output();
    process_.reset();
    return code;
  }
  void restart() { start(); }
  int pid() const { return process_->pid(); }
  std::string output() const { return output_before_ + (process_ ? process_->output() : ""); }
  int port() const { return port_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  const std::filesystem::path& data_dir() const { return data_dir_; }

  HttpReply request(const std::string& method, const std::string& path, const std::string& body = "",
                    const std::string& token = kToken, const std::string& content_type = "application/json") const {
    return request_with(method, path, {}, body, token, content_type);
  }

  /// The same, with more request headers (Idempotency-Key, Last-Event-ID, Accept).
  HttpReply request_with(const std::string& method, const std::string& path, const std::map<std::string, std::string>& headers,
                         const std::string& body = "", const std::string& token = kToken,
                         const std::string& content_type = "application/json") const {
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port_));
    session.setTimeout(Poco::Timespan(60, 0));
    Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    if (!token.empty()) req.set("Authorization", "Bearer " + token);
    for (const auto& [name, value] : headers) req.set(name, value);
    if (!body.empty() || method == "POST") {
      req.setContentType(content_type);
      req.setContentLength(static_cast<std::streamsize>(body.size()));
    }
    session.sendRequest(req) << body;
    Poco::Net::HTTPResponse resp;
    std::istream& in = session.receiveResponse(resp);
    HttpReply reply;
    reply.status = resp.getStatus();
    reply.reason = resp.getReason();
    Poco::StreamCopier::copyToString(in, reply.body);
    for (const auto& [k, v] : resp) reply.headers[k] = v;
    return reply;
  }

  Json submit(const Json& build) const {
    const HttpReply r = request("POST", "/v1/builds", build.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json();
  }

  /// Polls the build until it reaches a final state (bounded).
  Json wait_build(const std::string& id, std::chrono::seconds limit = std::chrono::seconds(120)) const {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    Json build;
    while (std::chrono::steady_clock::now() < deadline) {
      build = request("GET", "/v1/builds/" + id).json();
      const std::string state = build["state"];
      if (state != "queued" && state != "running") return build;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "build " << id << " did not finish: " << build.dump();
    return build;
  }

  Json wait_batch(const std::string& id, std::chrono::seconds limit = std::chrono::seconds(300)) const {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    Json batch;
    while (std::chrono::steady_clock::now() < deadline) {
      batch = request("GET", "/v1/batches/" + id).json();
      if (batch["done"] == true) return batch;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << "batch " << id << " did not finish: " << batch.dump();
    return batch;
  }

 private:
  std::filesystem::path data_dir_;
  ServerOptions options_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> process_;
  std::string output_before_;
};

}  // namespace kiln::testing
