// A known password given to kiln-plugin (kaniko backend) and kiln-verify (local driver) never
// appears in the argv of any process they start: while each runs, every descendant's
// /proc/<pid>/cmdline is read (bounded polling) and searched. The kaniko executor here is a
// STAND-IN KANIKO EXECUTOR (a shell script: there is no Kaniko on these machines) that records
// the mode of the credential file it was handed and lingers so the poller sees it run. The
// local driver runs the real runc.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "core/process.h"
#include "core/temp_dir.h"
#include "tests/support/busybox_image.h"
#include "tests/support/files.h"
#include "tests/support/local_registry.h"
#include "tests/support/processes.h"
#include "tests/support/tools.h"

namespace kiln::testing {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Seen {
  std::set<std::string> cmdlines;  ///< every descendant's (and the child's own) command line
  std::string leaked;              ///< the first one holding the secret
  int exit_code = -1;
};

// Runs argv and, until it exits (at most `limit`), reads the command line of it and every
// descendant every 5 ms.
Seen watch(const std::vector<std::string>& argv, const ProcessOptions& options, const std::string& secret,
           std::chrono::seconds limit) {
  Seen seen;
  ChildProcess child(argv, options);
  const auto deadline = Clock::now() + limit;
  while (process_alive(child.pid()) && Clock::now() < deadline) {
    const std::map<int, int> tree = process_parents();
    std::set<int> ours{child.pid()};
    for (bool grew = true; grew;) {
      grew = false;
      for (const auto& [pid, ppid] : tree)
        if (ours.contains(ppid) && ours.insert(pid).second) grew = true;
    }
    for (int pid : ours) {
      const std::string line = process_cmdline(pid);
      if (line.empty()) continue;
      seen.cmdlines.insert(line);
      if (seen.leaked.empty() && line.find(secret) != std::string::npos) seen.leaked = line;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_LT(Clock::now(), deadline) << argv[0] << " did not finish in time";
  seen.exit_code = child.stop();
  return seen;
}

std::string joined(const std::set<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += "  " + l + "\n";
  return out;
}

}  // namespace

TEST(ChildCmdline, TheKanikoExecutorNeverGetsThePasswordInItsArgvAndItsConfigIs0600) {
  const std::string secret = "cmdline-s3cret-9d2e71";
  TempDir work("kiln-cmdline-kaniko");
  const fs::path context = work.path() / "context", record = work.path() / "record", executor = work.path() / "executor";
  fs::create_directories(context);
  fs::create_directories(record);
  fs::create_directories(work.path() / "docker");
  std::ofstream(context / "Dockerfile") << "FROM alpine:3.19\nRUN true\n";
  // Lingers (bounded: 1.5 s) so the poller sees it, with its argv, while it runs.
  std::ofstream(executor) << "#!/bin/sh\n"
                             "stat -c %a \"$DOCKER_CONFIG/config.json\" > \"$STANDIN_RECORD/mode\"\n"
                             "cp \"$DOCKER_CONFIG/config.json\" \"$STANDIN_RECORD/config.json\"\n"
                             "for a in \"$@\"; do case \"$a\" in\n"
                             "  --digest-file=*) printf 'sha256:%064d' 1 > \"${a#--digest-file=}\" ;;\n"
                             "esac; done\n"
                             "sleep 1.5\n";
  fs::permissions(executor, fs::perms(0755));
  ProcessOptions options;
  options.extra_env = {{"PLUGIN_REPO", "registry.example.test/team/app"},
                       {"PLUGIN_CONTEXT", context.string()},
                       {"PLUGIN_DOCKERFILE", (context / "Dockerfile").string()},
                       {"PLUGIN_EXECUTOR", executor.string()},
                       {"PLUGIN_LAYER_CACHE_DIR", "none"},
                       {"PLUGIN_USERNAME", "ci"},
                       {"PLUGIN_PASSWORD", secret},
                       {"DOCKER_CONFIG", (work.path() / "docker").string()},
                       {"STANDIN_RECORD", record.string()}};
  const Seen seen = watch({KILN_PLUGIN_BINARY}, options, secret, std::chrono::seconds(60));
  EXPECT_EQ(seen.exit_code, 0);
  EXPECT_TRUE(seen.leaked.empty()) << "the password is in a command line: " << seen.leaked;
  bool executor_seen = false;
  for (const std::string& line : seen.cmdlines) executor_seen = executor_seen || line.find(executor.string()) != std::string::npos;
  EXPECT_TRUE(executor_seen) << "the poller never saw the executor run; it saw\n" << joined(seen.cmdlines);
  ASSERT_TRUE(fs::exists(record / "mode")) << "the executor did not run";
  EXPECT_EQ(read_file(record / "mode"), "600\n") << "the credential file handed to the executor";
  EXPECT_NE(read_file(record / "config.json").find("auths"), std::string::npos) << "it holds the credential";
}

// The executor's environment (what it leaves in /proc/<pid>/environ, and what a bare build arg
// or a careless RUN could read) holds no setting and no secret: the stand-in dumps it. What it
// needs stays: DOCKER_CONFIG, PATH, proxies, and the variables build_args_from_env names.
TEST(ChildCmdline, TheKanikoExecutorInheritsNoSecretVariables) {
  TempDir work("kiln-executor-env");
  const fs::path context = work.path() / "context", record = work.path() / "record", executor = work.path() / "executor";
  fs::create_directories(context);
  fs::create_directories(record);
  fs::create_directories(work.path() / "docker");
  std::ofstream(context / "Dockerfile") << "FROM alpine:3.19\nARG FROM_CI\nRUN true\n";
  std::ofstream(executor) << "#!/bin/sh\n"
                             "env > \"$STANDIN_RECORD/env\"\n"
                             "for a in \"$@\"; do case \"$a\" in\n"
                             "  --digest-file=*) printf 'sha256:%064d' 1 > \"${a#--digest-file=}\" ;;\n"
                             "esac; done\n";
  fs::permissions(executor, fs::perms(0755));
  const std::map<std::string, std::string> secrets = {
      {"PLUGIN_PASSWORD", "env-s3cret-password"},        // a secret setting
      {"DOCKER_PASSWORD", "env-s3cret-docker"},          // its plain variable (plugins/docker)
      {"KILN_BASE_IMAGE_PASSWORD", "env-s3cret-kiln"},   // the GitLab spelling of another
      {"PLUGIN_PASWORD", "env-s3cret-misspelt"},         // a misspelt setting is still a secret
      {"CI_JOB_TOKEN", "env-s3cret-job-token"},          // what GitLab hands every job
      {"DOCKER_AUTH_CONFIG", R"({"auths":{"x.test":{"auth":"ZW52LXMzY3JldC1hdXRoOng="}}})"},
  };
  ProcessOptions options;
  options.extra_env = secrets;
  options.extra_env.insert({{"PLUGIN_REPO", "registry.example.test/team/app"},
                            {"PLUGIN_CONTEXT", context.string()},
                            {"PLUGIN_DOCKERFILE", (context / "Dockerfile").string()},
                            {"PLUGIN_EXECUTOR", executor.string()},
                            {"PLUGIN_LAYER_CACHE_DIR", "none"},
                            {"PLUGIN_USERNAME", "ci"},
                            {"KILN_BASE_IMAGE_REGISTRY", "base.example.test"},
                            {"KILN_BASE_IMAGE_USERNAME", "ci"},
                            {"PLUGIN_BUILD_ARGS_FROM_ENV", "FROM_CI"},
                            {"FROM_CI", "wanted-in-the-build"},
                            {"HTTPS_PROXY", "http://proxy.example.test:3128"},
                            {"DOCKER_CONFIG", (work.path() / "docker").string()},
                            {"STANDIN_RECORD", record.string()}});
  const ProcessResult r = run_process({KILN_PLUGIN_BINARY}, options);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string dump = read_file(record / "env");
  ASSERT_FALSE(dump.empty()) << "the executor did not run";
  const std::string env = "\n" + dump;  // every variable starts after a newline
  for (const auto& [name, value] : secrets) {
    EXPECT_EQ(env.find(name + "="), std::string::npos) << name << " reached the executor";
    EXPECT_EQ(env.find(value), std::string::npos) << name << "'s value reached the executor";
  }
  EXPECT_EQ(env.find("\nPLUGIN_"), std::string::npos) << env;
  EXPECT_NE(env.find("\nFROM_CI=wanted-in-the-build\n"), std::string::npos) << "a bare build arg reads it" << env;
  EXPECT_NE(env.find("\nHTTPS_PROXY=http://proxy.example.test:3128\n"), std::string::npos) << env;
  EXPECT_NE(env.find("\nDOCKER_CONFIG="), std::string::npos) << env;
}

TEST(ChildCmdline, TheLocalDriverNeverGetsThePasswordIntoRuncsArgv) {
  LocalRegistry registry(RegistryMode::htpasswd_tls);
  push_busybox_base(*registry.client(), {.repository = "base/busybox", .tag = "1"});
  TempDir work("kiln-cmdline-local");
  std::ofstream(work.path() / "spec.yaml") << "schemaVersion: \"2.0.0\"\n"
                                               "commandTests:\n"
                                               "  - name: busybox runs\n    command: /bin/busybox\n"
                                               "    args: [\"true\"]\n";
  ProcessOptions options;
  options.extra_env = {{"PLUGIN_IMAGE", registry.host() + "/base/busybox:1"},
                       {"PLUGIN_CONFIG", (work.path() / "spec.yaml").string()},
                       {"PLUGIN_DRIVER", "local"},
                       {"PLUGIN_USERNAME", registry.username()},
                       {"PLUGIN_PASSWORD", registry.password()},
                       {"PLUGIN_REGISTRY_CERTIFICATE", registry.ca_file().string()},
                       {"PLUGIN_JUNIT", (work.path() / "junit.xml").string()},
                       {"DOCKER_CONFIG", work.path().string()}};
  const Seen seen = watch({KILN_VERIFY_BINARY}, options, registry.password(), std::chrono::seconds(120));
  EXPECT_EQ(seen.exit_code, 0) << joined(seen.cmdlines);
  EXPECT_TRUE(seen.leaked.empty()) << "the password is in a command line: " << seen.leaked;
  bool runc_seen = false;
  for (const std::string& line : seen.cmdlines) runc_seen = runc_seen || line.find("runc") != std::string::npos;
  EXPECT_TRUE(runc_seen) << "the poller never saw runc; it saw\n" << joined(seen.cmdlines);
}

}  // namespace kiln::testing
