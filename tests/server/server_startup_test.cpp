// What a new user meets first: kiln-server run from the build tree finds kiln-plugin and
// kiln-verify without being told where they are, a misspelt KILN_SERVER_* variable stops it
// with the variable's name, status lines carry their reason phrase, and the server benchmarks
// answer --help without running.
#include <gtest/gtest.h>

#include <fstream>

#include "core/process.h"
#include "tests/server/build_env.h"

namespace kiln::testing {
namespace {

namespace fs = std::filesystem;

}  // namespace

TEST(ServerStartup, FromTheBuildTreeItFindsKilnPluginAndKilnVerifyItself) {
  BuildEnv env;
  ServerOptions options = env.server_options(1);
  options.default_programs = true;  // neither plugin_binary nor verify_binary in the configuration
  ServerProcess server(env.work.path() / "data", options);
  Json build = env.build("defaults/app", Json::array({"v1"}));
  build["verify"] = {{"binary", "main"}};
  const Json done = server.wait_build(server.submit(build)["id"]);
  EXPECT_EQ(done["state"], "succeeded") << done.dump() << server.output();
  EXPECT_EQ(done["has_report"], true);
  EXPECT_EQ(env.skopeo_digest("defaults/app", "v1"), done["digest"]);
}

TEST(ServerStartup, AMisspeltVariableStopsItWithTheVariablesName) {
  TempDir dir("kiln-server-startup");
  const ProcessResult r = run_process({KILN_SERVER_BINARY, "--data_dir", (dir.path() / "data").string(), "--token_sha256",
                                       std::string(64, 'a'), "--listen", "127.0.0.1:0"},
                                      {.input = {}, .extra_env = {{"KILN_SERVER_CONCURENCY", "4"}}, .working_dir = {},
                                       .timeout = std::chrono::seconds(20), .on_output_line = {}});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE((r.out + r.err).find("KILN_SERVER_CONCURENCY: no kiln-server key has this variable"), std::string::npos)
      << r.out << r.err;
}

TEST(ServerStartup, StatusLinesCarryTheirReasonPhrase) {
  TempDir dir("kiln-server-startup");
  ServerProcess server(dir.path() / "data");
  const HttpReply unauthorized = server.request("GET", "/v1/builds", "", "");
  EXPECT_EQ(unauthorized.status, 401);
  EXPECT_EQ(unauthorized.reason, "Unauthorized");
  const HttpReply missing = server.request("GET", "/v1/builds/b-none");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.reason, "Not Found");
  const HttpReply bad = server.request("POST", "/v1/builds", "{");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.reason, "Bad Request");
  const HttpReply ok = server.request("GET", "/healthz");
  EXPECT_EQ(ok.reason, "OK");
}

#if defined(KILN_SERVER_BENCH_BINARY)
TEST(ServerStartup, TheServerBenchmarksPrintTheirHelpWithoutRunning) {
  for (const char* bench : {KILN_SERVER_BENCH_BINARY, KILN_SERVER_FOLLOWERS_BENCH_BINARY}) {
    const ProcessResult help = run_process({bench, "--help"}, {.input = {}, .extra_env = {}, .working_dir = {},
                                                              .timeout = std::chrono::seconds(10), .on_output_line = {}});
    EXPECT_EQ(help.exit_code, 0) << bench;
    EXPECT_NE(help.out.find("usage: "), std::string::npos) << help.out;
    // What a run prints first is not there: nothing was measured.
    EXPECT_EQ(help.out.find(" ms"), std::string::npos) << help.out;
    const ProcessResult bad = run_process({bench, "--bulids", "3"}, {.input = {}, .extra_env = {}, .working_dir = {},
                                                                     .timeout = std::chrono::seconds(10), .on_output_line = {}});
    EXPECT_EQ(bad.exit_code, 2) << bench;
    EXPECT_NE(bad.err.find("--bulids"), std::string::npos) << bad.err;
  }
}
#endif

}  // namespace kiln::testing
