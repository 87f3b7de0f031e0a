// KanikoBackend against a stand-in kaniko executor: there is no Kaniko binary on these
// machines, and a real one would unpack images over '/'. The stand-in kaniko executor is a
// small /bin/sh script that records what it was given, writes the files its flags name, prints
// a few lines and exits with the code the test chose. It proves the process contract (argv,
// environment, streaming, exit codes, digest handling), not Kaniko's build behaviour.
#include "plugin/backend/kaniko/kaniko.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/log.h"
#include "core/temp_dir.h"
#include "plugin/backend/kaniko/kaniko_argv.h"
#include "tests/support/files.h"

namespace kiln::plugin {
namespace {
using kiln::testing::read_file;

namespace fs = std::filesystem;
using Argv = std::vector<std::string>;

constexpr std::string_view kDigest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";


enum class WritesFiles { yes, no };

// The stand-in kaniko executor, written into a fresh temp dir.
class StandInExecutor {
 public:
  /// `body` runs after the recording and before `exit <exit_code>`; with WritesFiles::no the
  /// stand-in ignores --digest-file and the image-name file flags.
  explicit StandInExecutor(int exit_code, std::string_view body = "", WritesFiles writes = WritesFiles::yes) {
    std::ofstream(path()) << fmt::format(R"(#!/bin/sh
# stand-in kaniko executor: records argv (NUL-separated) and environment, writes the files
# its flags name, prints some output, exits {code}.
out='{dir}'
: > "$out/argv"
for a in "$@"; do printf '%s\0' "$a" >> "$out/argv"; done
printf '%s' "${{DOCKER_CONFIG-<unset>}}" > "$out/docker_config"
[ -f "$DOCKER_CONFIG/config.json" ] && cat "$DOCKER_CONFIG/config.json" > "$out/config_seen"
echo "INFO[0000] Retrieving image manifest busybox"
echo "WARN[0001] on stderr" >&2
[ {writes} = yes ] && for a in "$@"; do
  case "$a" in
    --digest-file=*) printf '%s' '{digest}' > "${{a#--digest-file=}}" ;;
    --image-name-with-digest-file=*) echo "registry.example.com/team/app@{digest}" > "${{a#*=}}" ;;
    --image-name-tag-with-digest-file=*) echo "registry.example.com/team/app:1@{digest}" > "${{a#*=}}" ;;
  esac
done
{body}
exit {code}
)",
                                         fmt::arg("dir", dir_.path().string()), fmt::arg("code", exit_code),
                                         fmt::arg("digest", kDigest), fmt::arg("body", body),
                                         fmt::arg("writes", writes == WritesFiles::yes ? "yes" : "no"));
    ::chmod(path().c_str(), 0755);
  }
  std::string path() const { return (dir_.path() / "executor").string(); }
  const fs::path& dir() const { return dir_.path(); }
  /// The argv the stand-in received, argv[0] excluded.
  Argv argv() const {
    Argv words;
    std::string all = read_file(dir_.path() / "argv");
    for (std::size_t start = 0, nul; (nul = all.find('\0', start)) != std::string::npos; start = nul + 1)
      words.push_back(all.substr(start, nul - start));
    return words;
  }
  std::string recorded(const std::string& name) const { return read_file(dir_.path() / name); }

 private:
  TempDir dir_{"kiln-kaniko-stand-in"};
};

KanikoOptions options_for(const StandInExecutor& executor) {
  KanikoOptions o;
  o.executor = executor.path();
  o.dockerfile = "Dockerfile";
  o.context = "dir:///workspace";
  o.destinations = {"registry.example.com/team/app:1", "registry.example.com/team/app:latest"};
  return o;
}

// The stand-in receives exactly kaniko_argv(), awkward values intact, plus DOCKER_CONFIG.
TEST(KanikoBackend, ExecutorGetsArgvAndDockerConfig) {
  StandInExecutor executor(0);
  TempDir config_dir("kiln-docker-config");
  std::ofstream(config_dir.path() / "config.json") << R"({"auths":{"registry.example.com":{"auth":"dTpw"}}})";
  KanikoOptions o = options_for(executor);
  o.docker_config_dir = config_dir.path().string();
  o.build_args = {{.name = "MSG", .value = "a, b = c 'd'"}, {.name = "HTTP_PROXY", .value = std::nullopt}};
  o.labels = {{.key = "description", .value = "x,y=z w"}};
  KanikoBackend backend(o, [](std::string_view) {});
  backend.run();

  Argv expected = kaniko_argv(backend.options());
  expected.erase(expected.begin());
  EXPECT_EQ(executor.argv(), expected);
  EXPECT_NE(std::find(expected.begin(), expected.end(), "--build-arg=MSG=a, b = c 'd'"), expected.end());
  EXPECT_NE(std::find(expected.begin(), expected.end(), "--build-arg=HTTP_PROXY"), expected.end());
  EXPECT_EQ(executor.recorded("docker_config"), config_dir.path().string());
  EXPECT_EQ(executor.recorded("config_seen"), R"({"auths":{"registry.example.com":{"auth":"dTpw"}}})");
}

// Without docker_config_dir the executor's own DOCKER_CONFIG (the image's) is left alone.
TEST(KanikoBackend, NoDockerConfigDirLeavesEnvironmentAlone) {
  StandInExecutor executor(0);
  KanikoBackend backend(options_for(executor), [](std::string_view) {});
  backend.run();
  const char* inherited = std::getenv("DOCKER_CONFIG");
  EXPECT_EQ(executor.recorded("docker_config"), inherited ? inherited : "<unset>");
}

// A bare build arg is filled by the executor from its environment, which it inherits from us
// (PATH stands in for a CI variable such as HTTP_PROXY: no setenv in tests).
TEST(KanikoBackend, BareBuildArgValueComesFromInheritedEnvironment) {
  StandInExecutor executor(0, R"(printf '%s' "$PATH" > "$out/path_seen")");
  KanikoOptions o = options_for(executor);
  o.build_args = {{.name = "PATH", .value = std::nullopt}};
  KanikoBackend(o, [](std::string_view) {}).run();
  const Argv argv = executor.argv();
  EXPECT_NE(std::find(argv.begin(), argv.end(), "--build-arg=PATH"), argv.end());
  EXPECT_EQ(executor.recorded("path_seen"), std::getenv("PATH"));
}

// Exit 0: the digest file is read and validated; image-name files land where asked.
TEST(KanikoBackend, ReturnsDigestAfterSuccess) {
  StandInExecutor executor(0);
  KanikoOptions o = options_for(executor);
  o.image_name_with_digest_file = (executor.dir() / "name-digest").string();
  o.image_name_tag_with_digest_file = (executor.dir() / "name-tag-digest").string();
  KanikoBackend backend(o, [](std::string_view) {});
  const BuildResult result = backend.run();
  EXPECT_EQ(result.digest.to_string(), kDigest);
  ASSERT_EQ(result.pushed.size(), 2u);
  EXPECT_EQ(result.pushed[0].to_string(), "registry.example.com/team/app:1");
  EXPECT_EQ(result.pushed[1].to_string(), "registry.example.com/team/app:latest");
  EXPECT_EQ(executor.recorded("name-digest"), fmt::format("registry.example.com/team/app@{}\n", kDigest));
  EXPECT_EQ(executor.recorded("name-tag-digest"), fmt::format("registry.example.com/team/app:1@{}\n", kDigest));
  // kiln chose the digest path itself (next to the executor) and cleaned it up.
  EXPECT_EQ(fs::path(backend.digest_file()).parent_path(), executor.dir());
  EXPECT_FALSE(fs::exists(backend.digest_file()));
}

// no_push: nothing is reported as pushed, but the digest is still returned.
TEST(KanikoBackend, NoPushReportsNothingPushed) {
  StandInExecutor executor(0);
  KanikoOptions o = options_for(executor);
  o.destinations.clear();
  o.no_push = true;
  o.digest_file = (executor.dir() / "chosen" / "digest").string();
  fs::create_directories(executor.dir() / "chosen");
  const BuildResult result = KanikoBackend(o, [](std::string_view) {}).run();
  EXPECT_EQ(result.digest.to_string(), kDigest);
  EXPECT_TRUE(result.pushed.empty());
  EXPECT_EQ(executor.recorded("chosen/digest"), kDigest);  // the caller's file is kept
}

std::string failure_of(const StandInExecutor& executor, int* exit_code = nullptr) {
  try {
    KanikoBackend(options_for(executor), [](std::string_view) {}).run();
  } catch (const KanikoExitError& e) {
    if (exit_code) *exit_code = e.exit_code();
    return e.what();
  } catch (const Error& e) {
    return std::string("Error: ") + e.what();
  }
  return "no error";
}

// The executor's code is passed through: 1 (other errors), 2 (a failing RUN), 137 (OOM kill).
TEST(KanikoBackend, ExitCodesPassThrough) {
  const std::pair<int, std::string> rows[] = {
      {1, "kaniko executor exited 1"},
      {2, "kaniko executor exited 2"},
      {42, "kaniko executor exited 42"},
      {137, "kaniko executor exited 137: killed (out of memory?): raise the memory limit or set "
            "compressed_caching: false"},
  };
  for (const auto& [code, message] : rows) {
    StandInExecutor executor(code);
    int seen = -1;
    EXPECT_EQ(failure_of(executor, &seen), message);
    EXPECT_EQ(seen, code);
  }
}

// Killed by SIGKILL (what the kernel OOM killer does) reads as 137, as a shell would say.
TEST(KanikoBackend, KilledBySignalIs137) {
  StandInExecutor executor(0, "kill -9 $$");
  int seen = -1;
  EXPECT_EQ(failure_of(executor, &seen),
            "kaniko executor exited 137: killed (out of memory?): raise the memory limit or set "
            "compressed_caching: false");
  EXPECT_EQ(seen, 137);
}

// Kaniko writes the digest file before pushing: after exit 1 the file exists but is ignored.
TEST(KanikoBackend, DigestOfFailedRunIsNotTrusted) {
  StandInExecutor executor(1);
  KanikoOptions o = options_for(executor);
  o.digest_file = (executor.dir() / "digest").string();
  EXPECT_THROW(KanikoBackend(o, [](std::string_view) {}).run(), KanikoExitError);
  EXPECT_EQ(executor.recorded("digest"), kDigest);  // it was written, and still not returned
}

// A digest file left by an earlier run does not pass for this run's.
TEST(KanikoBackend, StaleDigestFileIsRemovedFirst) {
  StandInExecutor executor(0, "", WritesFiles::no);
  KanikoOptions o = options_for(executor);
  o.digest_file = (executor.dir() / "digest").string();
  std::ofstream(o.digest_file) << kDigest;
  try {
    KanikoBackend(o, [](std::string_view) {}).run();
    FAIL() << "a stale digest file was trusted";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_class(), ExitClass::infra);
    EXPECT_EQ(std::string(e.what()), "kaniko executor exited 0 but wrote no digest file at " + o.digest_file);
  }
}

// A malformed digest file after exit 0 is an infrastructure error naming the file.
TEST(KanikoBackend, MalformedDigestIsAnError) {
  StandInExecutor executor(0, "printf 'sha256:nothex' > \"$out/digest\"");
  KanikoOptions o = options_for(executor);
  o.digest_file = (executor.dir() / "digest").string();
  try {
    KanikoBackend(o, [](std::string_view) {}).run();
    FAIL() << "a malformed digest was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_class(), ExitClass::infra);
    EXPECT_TRUE(std::string(e.what()).starts_with("kaniko digest file " + o.digest_file + ": ")) << e.what();
  }
}

// Output reaches the sink while the executor still runs: the stand-in waits (up to 5 s) for
// the test to acknowledge its first line, and exits 99 if the line was held back.
TEST(KanikoBackend, OutputIsStreamedAsItComes) {
  StandInExecutor executor(0, R"(echo "STEP 1/2 waiting for ack"
i=0
while [ ! -e "$out/ack" ]; do
  i=$((i+1)); [ $i -gt 500 ] && exit 99
  sleep 0.01
done
echo "STEP 2/2 acknowledged")");
  std::vector<std::string> lines;
  const fs::path ack = executor.dir() / "ack";
  KanikoBackend backend(options_for(executor), [&](std::string_view line) {
    lines.emplace_back(line);
    if (line.starts_with("STEP 1/2")) std::ofstream{ack};
  });
  EXPECT_NO_THROW(backend.run());
  EXPECT_EQ(lines, (std::vector<std::string>{"INFO[0000] Retrieving image manifest busybox",
                                             "WARN[0001] on stderr", "STEP 1/2 waiting for ack",
                                             "STEP 2/2 acknowledged"}));
}

// Registered secrets are masked in the streamed output too.
TEST(KanikoBackend, StreamedOutputIsRedacted) {
  log::add_secret("hunter2-build-token");
  StandInExecutor executor(0, "echo 'RUN curl -H token:hunter2-build-token'");
  std::vector<std::string> lines;
  KanikoBackend(options_for(executor), [&](std::string_view line) { lines.emplace_back(line); }).run();
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.back(), "RUN curl -H token:****");
}

// Options that cannot work fail before the executor starts.
TEST(KanikoBackend, NoDestinationWithoutNoPushIsAUsageError) {
  StandInExecutor executor(0);
  KanikoOptions o = options_for(executor);
  o.destinations.clear();
  try {
    KanikoBackend(o, [](std::string_view) {}).run();
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_class(), ExitClass::usage);
    EXPECT_STREQ(e.what(), "kaniko: no destination to push to: set a repository and tags, or no_push");
  }
  EXPECT_FALSE(fs::exists(executor.dir() / "argv"));
}

}  // namespace
}  // namespace kiln::plugin
