// The kaniko backend's own overhead: median wall time of KanikoBackend::run() around a
// stand-in kaniko executor that exits at once, against spawning that same stand-in directly
// (posix_spawn + waitpid, same argv). The difference is what kiln adds per build: building
// argv, the logged command line, starting the child (fork, its own process group, exec), the
// pipe readers that stream output line by line, reading and checking the digest file.
//
// Measured 2026-11 (2 cores, loaded): ~5 ms with `ulimit -n` 20000, ~1.5 ms with 1024, most of
// it Poco's launch closing every descriptor up to that limit in the child. run_process has
// since started children itself and closes them with one close_range(), whatever the limit.
//
// Usage: kiln-kaniko-overhead-bench [runs]   (default 200)
#include <fcntl.h>
#include <fmt/format.h>
#include <spawn.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <vector>

#include "bench/workload.h"
#include "core/temp_dir.h"
#include "plugin/backend/kaniko/kaniko.h"
#include "plugin/backend/kaniko/kaniko_argv.h"

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;

void spawn_and_wait(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  // Its output is discarded, as the benchmark's KanikoBackend sink discards it.
  posix_spawn_file_actions_t actions;
  ::posix_spawn_file_actions_init(&actions);
  ::posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  ::posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  const int rc = ::posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  ::posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) std::exit(2);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) std::exit(3);
}

}  // namespace

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 200;
  spdlog::set_level(spdlog::level::warn);  // the "+ command" line would flood the terminal

  kiln::TempDir dir("kiln-kaniko-bench");
  const std::string executor = (dir.path() / "executor").string();
  // The stand-in kaniko executor: writes the digest file its flag names, prints a line, exits 0.
  std::ofstream(executor) << "#!/bin/sh\n"
                             "for a in \"$@\"; do case \"$a\" in --digest-file=*) printf '%s' "
                             "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
                             " > \"${a#--digest-file=}\" ;; esac; done\n"
                             "echo 'INFO[0000] done'\n";
  ::chmod(executor.c_str(), 0755);

  kiln::plugin::KanikoOptions options;
  options.executor = executor;
  options.dockerfile = "Dockerfile";
  options.context = "dir:///workspace";
  options.destinations = {"registry.example.com/team/app:1", "registry.example.com/team/app:latest"};
  options.build_args = {{.name = "VERSION", .value = "1.2.3"}, {.name = "HTTP_PROXY", .value = std::nullopt}};
  options.digest_file = (dir.path() / "digest").string();
  options.docker_config_dir = dir.path().string();

  const auto direct_argv = kiln::plugin::kaniko_argv(options);
  const auto direct_once = [&] { spawn_and_wait(direct_argv); };
  const auto backend_once = [&] { kiln::plugin::KanikoBackend(options, [](std::string_view) {}).run(); };
  // Alternate the two so that load from other processes hits both alike; one warm-up each.
  direct_once();
  backend_once();
  std::vector<double> direct_ms, backend_ms;
  for (int i = 0; i < runs; ++i) {
    direct_ms.push_back(kiln::bench::milliseconds_of(direct_once));
    backend_ms.push_back(kiln::bench::milliseconds_of(backend_once));
  }
  const double direct = kiln::bench::stats(direct_ms).median, backend = kiln::bench::stats(backend_ms).median;
  fmt::print("runs: {}\n", runs);
  fmt::print("stand-in executor spawned directly: median {:.3f} ms\n", direct);
  fmt::print("KanikoBackend::run():               median {:.3f} ms\n", backend);
  fmt::print("kiln overhead:                      {:+.3f} ms\n", backend - direct);
  return 0;
}
