// The init container's fetch, for real: its exact script from the generated pod, run by
// busybox-static's sh with busybox's own wget and tar (what the Kaniko debug image has), against
// a small HTTP server here that serves a context tar only for the right bearer token.
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <sstream>

#include "core/process.h"
#include "core/temp_dir.h"
#include "server/engine/kubernetes/kaniko_build_pod.h"
#include "tests/support/files.h"

namespace kiln::server {
namespace {

using kiln::testing::read_file;

using oci::Json;

// Serves GET /v1/builds/b1/context: the tar for "Bearer <token>", 401 otherwise.
class ContextServer {
 public:
  ContextServer(std::string tar, std::string token) : state_(std::make_shared<State>()) {
    state_->tar = std::move(tar);
    state_->token = std::move(token);
    auto* params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(2);
    server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(state_), socket_, params);
    server_->start();
  }
  ~ContextServer() { server_->stopAll(true); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(socket_.address().port()) + "/v1/builds/b1/context"; }
  int refused() const { return state_->refused; }
  int served() const { return state_->served; }

 private:
  struct State {
    std::string tar, token;
    std::atomic<int> served{0}, refused{0};
  };
  class Handler final : public Poco::Net::HTTPRequestHandler {
   public:
    explicit Handler(std::shared_ptr<State> state) : state_(std::move(state)) {}
    void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
      if (request.getURI() != "/v1/builds/b1/context" || request.get("Authorization", "") != "Bearer " + state_->token) {
        ++state_->refused;
        response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_UNAUTHORIZED);
        response.send() << "no";
        return;
      }
      ++state_->served;
      response.setContentType("application/x-tar");
      response.sendBuffer(state_->tar.data(), state_->tar.size());
    }

   private:
    std::shared_ptr<State> state_;
  };
  class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
   public:
    explicit Factory(std::shared_ptr<State> state) : state_(std::move(state)) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
      return new Handler(state_);
    }

   private:
    std::shared_ptr<State> state_;
  };

  std::shared_ptr<State> state_;
  Poco::Net::ServerSocket socket_{Poco::Net::SocketAddress("127.0.0.1", 0)};
  std::unique_ptr<Poco::Net::HTTPServer> server_;
};

class FetchContext : public ::testing::Test {
 protected:
  void SetUp() override {
    // A context: a Dockerfile and a nested file, tarred as kiln-server serves it (uncompressed).
    std::filesystem::create_directories(source_ / "src");
    std::ofstream(source_ / "Dockerfile") << "FROM busybox\nCOPY src /src\n";
    std::ofstream(source_ / "src/main.sh") << "echo hello\n";
    run_process({"/bin/busybox", "tar", "-c", "-f", (dir_.path() / "context.tar").string(), "-C", source_.string(), "."});
    // The debug image's PATH has busybox's applets; so does this one, and nothing else.
    std::filesystem::create_directories(bin_);
    for (const char* applet : {"wget", "tar"}) std::filesystem::create_symlink("/bin/busybox", bin_ / applet);
    std::filesystem::create_directories(workspace_);
  }

  // Runs the init container of the pod for `url` as the kubelet would: its command, its env,
  // TOKEN from the Secret; only WORKSPACE points at a temp dir instead of the emptyDir.
  ProcessResult fetch(const std::string& url, const std::string& secret_token) {
    const Json pod = kaniko_build_pod({.build_id = "b1", .executor_image = "kaniko:debug", .executor_argv = {},
                                       .context_url = url});
    const Json& init = pod["spec"]["initContainers"][0];
    EXPECT_EQ(init["command"][0], "/busybox/sh");
    std::map<std::string, std::string> env = {{"PATH", bin_.string()}};
    for (const Json& var : init["env"]) {
      const std::string name = var["name"];
      if (var.contains("value")) env[name] = var["value"];
      else env[name] = context_secret("b1", secret_token)["stringData"][var["valueFrom"]["secretKeyRef"]["key"].get<std::string>()];
    }
    EXPECT_EQ(env["WORKSPACE"], "/workspace");
    env["WORKSPACE"] = workspace_.string();
    return run_process({"/bin/busybox", "sh", "-c", init["command"][2].get<std::string>()},
                       {.extra_env = env, .timeout = std::chrono::seconds(30)});
  }

  TempDir dir_{"kiln-fetch"};
  std::filesystem::path source_ = dir_.path() / "source";
  std::filesystem::path bin_ = dir_.path() / "bin";
  std::filesystem::path workspace_ = dir_.path() / "workspace";
};

TEST_F(FetchContext, UnpacksTheTarIntoTheWorkspaceWithTheBearerToken) {
  ContextServer server(read_file(dir_.path() / "context.tar"), "ctx-token-good-1234");
  const ProcessResult r = fetch(server.url(), "ctx-token-good-1234");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(server.served(), 1);
  EXPECT_EQ(read_file(workspace_ / "Dockerfile"), "FROM busybox\nCOPY src /src\n");
  EXPECT_EQ(read_file(workspace_ / "src/main.sh"), "echo hello\n");
}

TEST_F(FetchContext, AWrongTokenFailsTheInitContainerAndUnpacksNothing) {
  ContextServer server(read_file(dir_.path() / "context.tar"), "ctx-token-good-1234");
  const ProcessResult r = fetch(server.url(), "ctx-token-bad-5678");
  EXPECT_NE(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(server.refused(), 1);
  EXPECT_NE(r.err.find("401"), std::string::npos) << r.err;
  EXPECT_TRUE(std::filesystem::is_empty(workspace_));
  // What the kubelet would keep as the termination message names no token.
  EXPECT_EQ((r.out + r.err).find("ctx-token"), std::string::npos) << r.out << r.err;
}

}  // namespace
}  // namespace kiln::server
