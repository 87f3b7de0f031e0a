// kiln-native-bench: what a native binary-on-base build costs, against the physical floor.
//
// Workload (issue #2): a ~50 MB real binary (concatenated ELF files of this machine) on a
// ~100 MB base, pushed to a real docker-registry on 127.0.0.1. Each figure is the median of
// --runs runs (default 5). The floor is single-threaded compression of the same bytes alone.
// --memory-mb N adds one build per compression of an N MiB binary (the workload repeated) and
// prints the kiln-plugin process's peak resident memory (ru_maxrss, through GNU time).
//   kiln-native-bench [--runs N] [--binary-mb N] [--base-mb N] [--memory-mb N]
#include <fmt/format.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <thread>
#include <vector>

#include "core/error.h"
#include "core/process.h"
#include "core/temp_dir.h"
#include "oci/credentials/credential.h"
#include "oci/registry/client.h"
#include "tests/support/busybox_image.h"
#include "tests/support/local_registry.h"
#include "bench/libarchive_compressor.h"
#include "bench/workload.h"

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

// The floor: compressing the same bytes with libarchive alone, single-threaded, output discarded.
// Wall seconds; `cpu` gets the CPU seconds the compression took (the floor on an idle core).
double compress_seconds(const fs::path& file, const char* filter, int level, double& cpu) {
  std::ifstream in(file, std::ios::binary);
  std::vector<char> buffer(1 << 20);
  const auto start = Clock::now();
  const double cpu_start = kiln::bench::thread_cpu_seconds();
  kiln::bench::LibarchiveCompressor compressor(filter, level, [](const void*, std::size_t) {});  // output discarded
  while (in.read(buffer.data(), static_cast<std::streamsize>(buffer.size())), in.gcount() > 0)
    compressor.write(buffer.data(), static_cast<std::size_t>(in.gcount()));
  compressor.finish();
  cpu = kiln::bench::thread_cpu_seconds() - cpu_start;
  return std::chrono::duration<double>(Clock::now() - start).count();
}

struct Run {
  double seconds;
  std::string err;
  double cpu_seconds;  ///< user + system time of kiln-plugin, all threads: what load does not change
};

Run run_plugin(const std::map<std::string, std::string>& env) {
  const double cpu_before = kiln::bench::reaped_children_cpu_seconds();  // only kiln-plugin ends in between
  const auto start = Clock::now();
  kiln::ProcessOptions options;
  options.extra_env = env;
  options.timeout = std::chrono::seconds(300);
  const auto r = kiln::run_process({KILN_PLUGIN_BINARY}, options);
  const double s = std::chrono::duration<double>(Clock::now() - start).count();
  if (r.exit_code != 0) throw std::runtime_error("kiln-plugin failed: " + r.err);
  return {s, r.err, kiln::bench::reaped_children_cpu_seconds() - cpu_before};
}

// Runs kiln-plugin once and returns its peak resident set in MiB. Through GNU time, not by
// wait4() here: Linux carries the exec'ing process's high-water mark into the child's
// ru_maxrss, and this benchmark (which holds the workload in memory) would be counted.
double plugin_peak_rss_mib(const std::map<std::string, std::string>& env) {
  if (!fs::exists("/usr/bin/time")) throw std::runtime_error("--memory-mb needs GNU time (/usr/bin/time)");
  kiln::ProcessOptions options;
  options.extra_env = env;
  options.timeout = std::chrono::seconds(1800);
  const auto r = kiln::run_process({"/usr/bin/time", "-f", "kiln-peak-rss-kib=%M", KILN_PLUGIN_BINARY}, options);
  if (r.exit_code != 0) throw std::runtime_error("kiln-plugin failed on the memory workload: " + r.err);
  const auto at = r.err.rfind("kiln-peak-rss-kib=");
  if (at == std::string::npos) throw std::runtime_error("GNU time printed no peak: " + r.err);
  return std::stod(r.err.substr(at + 18)) / 1024.0;
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

    std::vector<double> gzip_floor, zstd_floor, gzip_build, zstd_build, rebuild, gzip_cpu, zstd_cpu, rebuild_cpu,
        gzip_floor_cpu, zstd_floor_cpu, gzip_registry_cpu, zstd_registry_cpu, gzip_bound, zstd_bound;
    const double cores = std::max(1u, std::thread::hardware_concurrency());
    bool rebuild_uploaded = false;
    for (int i = 0; i < runs; ++i) {
      double cpu = 0;
      gzip_floor.push_back(compress_seconds(binary, "gzip", 1, cpu));
      gzip_floor_cpu.push_back(cpu);
      zstd_floor.push_back(compress_seconds(binary, "zstd", 1, cpu));
      zstd_floor_cpu.push_back(cpu);
      // A fresh repository each run: the new layer is really uploaded, base layers mounted.
      // The registry shares the machine: its CPU during a build is part of what the build costs.
      const auto registry_cpu = [&] { return kiln::bench::process_cpu_seconds(registry.pid(), false); };
      double before = registry_cpu();
      const Run gzip = run_plugin(settings(fmt::format("bench/gzip-{}", i), "gzip"));
      gzip_registry_cpu.push_back(registry_cpu() - before);
      before = registry_cpu();
      const Run zstd = run_plugin(settings(fmt::format("bench/zstd-{}", i), "zstd"));
      zstd_registry_cpu.push_back(registry_cpu() - before);
      gzip_bound.push_back((gzip.cpu_seconds + gzip_registry_cpu.back()) / cores);
      zstd_bound.push_back((zstd.cpu_seconds + zstd_registry_cpu.back()) / cores);
      const Run again = run_plugin(settings(fmt::format("bench/gzip-{}", i), "gzip"));
      gzip_build.push_back(gzip.seconds);
      zstd_build.push_back(zstd.seconds);
      rebuild.push_back(again.seconds);
      gzip_cpu.push_back(gzip.cpu_seconds);
      zstd_cpu.push_back(zstd.cpu_seconds);
      rebuild_cpu.push_back(again.cpu_seconds);
      rebuild_uploaded |= again.err.find("0 new layer(s) uploaded") == std::string::npos;
    }
    const kiln::bench::Stats gf = kiln::bench::stats(gzip_floor), zf = kiln::bench::stats(zstd_floor), gb = kiln::bench::stats(gzip_build), zb = kiln::bench::stats(zstd_build),
                rb = kiln::bench::stats(rebuild);
    std::cout << fmt::format("kiln native build: {} MiB binary on a {} MiB base, registry on loopback, {} runs\n",
                             binary_mb, base_mb, runs);
    std::cout << fmt::format("  {:<40} {:>8} {:>8} {:>8}\n", "seconds", "median", "min", "max");
    kiln::bench::print_row("floor: gzip level 1 alone (1 thread)", gf);
    kiln::bench::print_row("floor: zstd level 1 alone (1 thread)", zf);
    kiln::bench::print_row("native build, gzip level 1", gb, fmt::format("{:.2f}x the gzip floor (target <= 0.75x)", gb.median / gf.median));
    kiln::bench::print_row("native build, zstd level 1", zb, fmt::format("(target <= 0.25 s) {:.2f}x the zstd floor", zb.median / zf.median));
    kiln::bench::print_row("unchanged rebuild, gzip level 1", rb, rebuild_uploaded ? "UPLOADED A LAYER" : "no layer uploaded (target <= 0.050 s)");
    kiln::bench::print_row("  CPU s of the gzip floor", kiln::bench::stats(gzip_floor_cpu), "its wall time on an idle core");
    kiln::bench::print_row("  CPU s of the zstd floor", kiln::bench::stats(zstd_floor_cpu));
    kiln::bench::print_row("  CPU s of kiln-plugin, gzip build", kiln::bench::stats(gzip_cpu), "user + system, all threads");
    kiln::bench::print_row("  CPU s of kiln-plugin, zstd build", kiln::bench::stats(zstd_cpu));
    kiln::bench::print_row("  CPU s of kiln-plugin, rebuild", kiln::bench::stats(rebuild_cpu));
    kiln::bench::print_row("  CPU s of docker-registry, gzip build", kiln::bench::stats(gzip_registry_cpu), "from /proc, 10 ms ticks");
    kiln::bench::print_row("  CPU s of docker-registry, zstd build", kiln::bench::stats(zstd_registry_cpu));
    const std::string bound_note = fmt::format("(kiln-plugin + registry CPU) / {} cores: no build on this machine beats it", cores);
    kiln::bench::print_row("  CPU bound, gzip build", kiln::bench::stats(gzip_bound), bound_note);
    kiln::bench::print_row("  CPU bound, zstd build", kiln::bench::stats(zstd_bound), bound_note);
    if (memory_mb > 0) {
      const fs::path big = work.path() / "big" / "main";
      fs::create_directories(big.parent_path());
      write_repeated(binary, big, memory_mb);
      std::cout << fmt::format("peak memory (ru_maxrss of kiln-plugin), {} MiB binary, one build each:\n", memory_mb);
      for (const std::string compression : {"gzip", "zstd"}) {
        auto env = settings("bench/memory-" + compression, compression);
        env["PLUGIN_BINARY"] = big.string();
        env["PLUGIN_LAYER_CACHE_DIR"] = "none";
        std::cout << fmt::format("  {:<40} {:>8.1f} MiB  (target < 64 MiB)\n",
                                 "native build, " + compression + " level 1", plugin_peak_rss_mib(env));
      }
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "kiln-native-bench: " << e.what() << "\n";
    return 3;
  }
}
