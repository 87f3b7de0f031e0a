// kiln-native-bench: what a native binary-on-base build costs, against the physical floor.
//
// Workload (issue #2): a ~50 MB real binary (concatenated ELF files of this machine) on a
// ~100 MB base, pushed to a real docker-registry on 127.0.0.1. Each figure is the median of
// --runs runs (default 5). The floor is single-threaded compression of the same bytes alone.
// --memory-mb N adds one build per compression of an N MiB binary (the workload repeated) and
// prints the kiln-plugin process's peak resident memory (ru_maxrss from wait4).
//   kiln-native-bench [--runs N] [--binary-mb N] [--base-mb N] [--memory-mb N]
#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <vector>

#include "core/error.h"
#include "core/process.h"
#include "core/temp_dir.h"
#include "oci/credentials/credential.h"
#include "oci/registry/client.h"
#include "tests/support/busybox_image.h"
#include "tests/support/local_registry.h"
#include "bench/workload.h"

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

// The floor: compressing the same bytes with libarchive alone, single-threaded, output discarded.
double compress_seconds(const fs::path& file, const char* filter, int level) {
  std::unique_ptr<archive, decltype(&archive_write_free)> a(archive_write_new(), archive_write_free);
  archive_write_set_format_raw(a.get());
  if (std::string_view(filter) == "gzip") {
    archive_write_add_filter_gzip(a.get());
    archive_write_set_options(a.get(), fmt::format("gzip:compression-level={},gzip:!timestamp", level).c_str());
  } else {
    archive_write_add_filter_zstd(a.get());
    archive_write_set_options(a.get(), fmt::format("zstd:compression-level={}", level).c_str());
  }
  archive_write_set_bytes_per_block(a.get(), 0);
  std::ifstream in(file, std::ios::binary);
  std::vector<char> buffer(1 << 20);
  const auto start = Clock::now();
  archive_write_open(a.get(), nullptr, nullptr, [](archive*, void*, const void*, size_t n) -> la_ssize_t {
    return static_cast<la_ssize_t>(n);
  }, nullptr);
  std::unique_ptr<archive_entry, decltype(&archive_entry_free)> entry(archive_entry_new(), archive_entry_free);
  archive_entry_set_filetype(entry.get(), AE_IFREG);
  archive_entry_set_pathname(entry.get(), "data");
  archive_write_header(a.get(), entry.get());
  while (in.read(buffer.data(), static_cast<std::streamsize>(buffer.size())), in.gcount() > 0)
    archive_write_data(a.get(), buffer.data(), static_cast<size_t>(in.gcount()));
  archive_write_close(a.get());
  return std::chrono::duration<double>(Clock::now() - start).count();
}

struct Run {
  double seconds;
  std::string err;
};

Run run_plugin(const std::map<std::string, std::string>& env) {
  const auto start = Clock::now();
  kiln::ProcessOptions options;
  options.extra_env = env;
  options.timeout = std::chrono::seconds(300);
  const auto r = kiln::run_process({KILN_PLUGIN_BINARY}, options);
  const double s = std::chrono::duration<double>(Clock::now() - start).count();
  if (r.exit_code != 0) throw std::runtime_error("kiln-plugin failed: " + r.err);
  return {s, r.err};
}

// Runs kiln-plugin once and returns its peak resident set in MiB, as the kernel counted it.
double plugin_peak_rss_mib(const std::map<std::string, std::string>& env) {
  std::vector<std::string> vars;
  for (char** e = environ; *e; ++e) vars.emplace_back(*e);
  for (const auto& [name, value] : env) vars.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (auto& v : vars) envp.push_back(v.data());
  envp.push_back(nullptr);
  std::string binary = KILN_PLUGIN_BINARY;
  char* child_argv[] = {binary.data(), nullptr};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);  // the build's log is not the figure
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, binary.c_str(), &actions, nullptr, child_argv, envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) throw std::runtime_error("cannot start kiln-plugin");
  int status = 0;
  rusage usage{};
  if (wait4(pid, &status, 0, &usage) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw std::runtime_error("kiln-plugin failed on the memory workload");
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

// `mib` MiB made of the workload binary repeated: a big binary that compresses like a real one.
void write_repeated(const fs::path& from, const fs::path& to, std::size_t mib) {
  std::ifstream in(from, std::ios::binary);
  const std::string piece((std::istreambuf_iterator<char>(in)), {});
  std::ofstream out(to, std::ios::binary);
  for (std::size_t written = 0; written < (mib << 20); written += piece.size())
    out.write(piece.data(), static_cast<std::streamsize>(std::min(piece.size(), (mib << 20) - written)));
  fs::permissions(to, fs::perms(0755));
}

// --memory-mb is this benchmark's own flag; the rest are the shared workload flags.
std::size_t take_memory_flag(int& argc, char** argv) {
  std::size_t mib = 0;
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--memory-mb" && i + 1 < argc) mib = std::stoul(argv[++i]);
    else argv[kept++] = argv[i];
  }
  argc = kept;
  return mib;
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t memory_mb = take_memory_flag(argc, argv);
  const auto flags = kiln::bench::parse_workload_flags(argc, argv);
  if (!flags) return 2;
  const int runs = flags->runs;
  const std::size_t binary_mb = flags->binary_mb, base_mb = flags->base_mb;
  try {
    kiln::TempDir work("kiln-bench");
    const fs::path binary = work.path() / "main", payload = work.path() / "payload";
    kiln::bench::write_real_binary_bytes(binary, binary_mb << 20, 0);
    fs::permissions(binary, fs::perms(0755));
    kiln::bench::write_real_binary_bytes(payload, base_mb << 20, binary_mb << 20);

    kiln::testing::LocalRegistry registry;
    kiln::oci::RegistryClient client(registry.host(), std::make_shared<kiln::oci::AnonymousKeychain>(),
                                     kiln::oci::RegistryOptions{.insecure = true});
    kiln::testing::push_busybox_base(client, {.repository = "bench/base", .tag = "1",
                                              .payload_file = payload.string()});
    fs::create_directories(work.path() / "docker");
    auto settings = [&](const std::string& repo, const std::string& compression) {
      return std::map<std::string, std::string>{{"PLUGIN_REPO", registry.host() + "/" + repo},
                                                {"PLUGIN_BASE_IMAGE", registry.host() + "/bench/base:1"},
                                                {"PLUGIN_BINARY", binary.string()},
                                                {"PLUGIN_INSECURE", "true"},
                                                {"PLUGIN_COMPRESSION", compression},
                                                {"PLUGIN_LOG_LEVEL", "info"},
                                                // The benchmark's own cache: a rebuild hits what its build stored.
                                                {"PLUGIN_LAYER_CACHE_DIR", (work.path() / "layer-cache").string()},
                                                {"DOCKER_CONFIG", (work.path() / "docker").string()}};
    };

    std::vector<double> gzip_floor, zstd_floor, gzip_build, zstd_build, rebuild;
    bool rebuild_uploaded = false;
    for (int i = 0; i < runs; ++i) {
      gzip_floor.push_back(compress_seconds(binary, "gzip", 1));
      zstd_floor.push_back(compress_seconds(binary, "zstd", 1));
      // A fresh repository each run: the new layer is really uploaded, base layers mounted.
      gzip_build.push_back(run_plugin(settings(fmt::format("bench/gzip-{}", i), "gzip")).seconds);
      zstd_build.push_back(run_plugin(settings(fmt::format("bench/zstd-{}", i), "zstd")).seconds);
      const Run again = run_plugin(settings(fmt::format("bench/gzip-{}", i), "gzip"));
      rebuild.push_back(again.seconds);
      rebuild_uploaded |= again.err.find("0 new layer(s) uploaded") == std::string::npos;
    }
    const kiln::bench::Stats gf = kiln::bench::stats(gzip_floor), zf = kiln::bench::stats(zstd_floor), gb = kiln::bench::stats(gzip_build), zb = kiln::bench::stats(zstd_build),
                rb = kiln::bench::stats(rebuild);
    std::cout << fmt::format("kiln native build: {} MiB binary on a {} MiB base, registry on loopback, {} runs\n",
                             binary_mb, base_mb, runs);
    std::cout << fmt::format("  {:<40} {:>8} {:>8} {:>8}\n", "seconds", "median", "min", "max");
    kiln::bench::print_row("floor: gzip level 1 alone (1 thread)", gf);
    kiln::bench::print_row("floor: zstd level 1 alone (1 thread)", zf);
    kiln::bench::print_row("native build, gzip level 1", gb, fmt::format("{:.2f}x the gzip floor (issue 5 target <= 0.75x)", gb.median / gf.median));
    kiln::bench::print_row("native build, zstd level 1", zb, fmt::format("(issue 5 target <= 0.25 s) {:.2f}x the zstd floor", zb.median / zf.median));
    kiln::bench::print_row("unchanged rebuild, gzip level 1", rb, rebuild_uploaded ? "UPLOADED A LAYER" : "no layer uploaded (issue 5 target <= 0.050 s)");
    if (memory_mb > 0) {
      const fs::path big = work.path() / "big" / "main";
      fs::create_directories(big.parent_path());
      write_repeated(binary, big, memory_mb);
      std::cout << fmt::format("peak memory (ru_maxrss of kiln-plugin), {} MiB binary, one build each:\n", memory_mb);
      for (const std::string compression : {"gzip", "zstd"}) {
        auto env = settings("bench/memory-" + compression, compression);
        env["PLUGIN_BINARY"] = big.string();
        env["PLUGIN_LAYER_CACHE_DIR"] = "none";
        std::cout << fmt::format("  {:<40} {:>8.1f} MiB  (issue 5 target < 64 MiB)\n",
                                 "native build, " + compression + " level 1", plugin_peak_rss_mib(env));
      }
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "kiln-native-bench: " << e.what() << "\n";
    return 3;
  }
}
