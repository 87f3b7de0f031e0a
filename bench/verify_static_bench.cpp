// kiln-verify-bench: what checking a pushed image costs — kiln-verify's static driver against
// what a pipeline script does today without a daemon: `skopeo copy` to an OCI layout, `umoci
// unpack`, then the same checks on the unpacked file (exists, executable, ELF machine, SHA-256).
//
// Workload (issue #4): the issue-2 image, a ~50 MB binary (a static program padded with real
// machine code) on a ~100 MB base, pushed by kiln-plugin to a real docker-registry on 127.0.0.1. Medians of --runs runs (default 5).
//   kiln-verify-bench [--runs N] [--binary-mb N] [--base-mb N]
#include <fmt/format.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include "bench/workload.h"
#include "core/elf.h"
#include "core/process.h"
#include "core/temp_dir.h"
#include "oci/credentials/credential.h"
#include "oci/json.h"
#include "oci/registry/client.h"
#include "oci/sha256.h"
#include "oci/digest.h"
#include "tests/support/busybox_image.h"
#include "tests/support/local_registry.h"

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

kiln::ProcessResult run(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env = {}) {
  kiln::ProcessOptions options;
  options.extra_env = env;
  options.timeout = std::chrono::seconds(300);
  kiln::ProcessResult r = kiln::run_process(argv, options);
  if (r.exit_code != 0 && r.exit_code != 1)
    throw std::runtime_error(fmt::format("{} exited {}: {}", argv.front(), r.exit_code, r.err));
  return r;
}

std::string file_sha256(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  kiln::oci::Sha256 hasher;
  std::vector<char> buffer(1 << 20);
  while (in.read(buffer.data(), static_cast<std::streamsize>(buffer.size())), in.gcount() > 0)
    hasher.update(buffer.data(), static_cast<std::size_t>(in.gcount()));
  return hasher.finish().hex();
}

}  // namespace

int main(int argc, char** argv) {
  const auto flags = kiln::bench::parse_workload_flags(argc, argv);
  if (!flags) return 2;
  const int runs = flags->runs;
  const std::size_t binary_mb = flags->binary_mb, base_mb = flags->base_mb;
  try {
    kiln::TempDir work("kiln-verify-bench");
    const fs::path binary = work.path() / "main", payload = work.path() / "payload";
    // A real static program first (so the image's application is loadable and runs on the
    // busybox base), then real machine code up to the size of a large application.
    const fs::path padding = work.path() / "padding";
    kiln::bench::write_real_binary_bytes(padding, binary_mb << 20, 0);
    {
      std::ofstream out(binary, std::ios::binary);
      out << std::ifstream(KILN_HELLO_BINARY, std::ios::binary).rdbuf() << std::ifstream(padding, std::ios::binary).rdbuf();
    }
    fs::remove(padding);
    fs::permissions(binary, fs::perms(0755));
    kiln::bench::write_real_binary_bytes(payload, base_mb << 20, binary_mb << 20);

    kiln::testing::LocalRegistry registry;
    kiln::oci::RegistryClient client(registry.host(), std::make_shared<kiln::oci::AnonymousKeychain>(),
                                     kiln::oci::RegistryOptions{.insecure = true});
    kiln::testing::push_busybox_base(client, {.repository = "bench/base", .tag = "1", .payload_file = payload.string()});
    fs::create_directories(work.path() / "docker");
    const std::string image = registry.host() + "/bench/app:1";
    run({KILN_PLUGIN_BINARY}, {{"PLUGIN_REPO", registry.host() + "/bench/app"}, {"PLUGIN_TAGS", "1"},
                               {"PLUGIN_BASE_IMAGE", registry.host() + "/bench/base:1"}, {"PLUGIN_BINARY", binary.string()},
                               {"PLUGIN_INSECURE", "true"}, {"DOCKER_CONFIG", (work.path() / "docker").string()}});
    const kiln::oci::Json manifest = kiln::oci::Json::parse(
        run({"skopeo", "inspect", "--raw", "--tls-verify=false", "docker://" + image}).out);
    std::int64_t image_bytes = 0;
    for (const auto& layer : manifest.at("layers")) image_bytes += layer.at("size").get<std::int64_t>();

    std::vector<double> kiln_times, script_times;
    std::string kiln_read;
    const std::string expected = file_sha256(binary);
    for (int i = 0; i < runs; ++i) {
      auto start = Clock::now();
      const auto verify = run({KILN_VERIFY_BINARY, "--image", image, "--insecure", "--driver", "static", "--binary",
                               binary.string(), "--junit", (work.path() / "junit.xml").string(), "--log-level", "debug"});
      kiln_times.push_back(seconds_since(start));
      if (verify.exit_code != 0) throw std::runtime_error("kiln-verify did not pass: " + verify.out + verify.err);
      if (auto at = verify.err.find("static driver: read"); at != std::string::npos)
        kiln_read = verify.err.substr(at, verify.err.find('\n', at) - at);

      // The script a team writes today without a daemon.
      const fs::path layout = work.path() / fmt::format("layout-{}", i), bundle = work.path() / fmt::format("bundle-{}", i);
      start = Clock::now();
      run({"skopeo", "copy", "--quiet", "--src-tls-verify=false", "docker://" + image, "oci:" + layout.string() + ":1"});
      run({"umoci", "unpack", "--image", layout.string() + ":1", bundle.string()});
      const fs::path main_path = bundle / "rootfs/usr/local/app/main";
      struct stat st {};
      const bool ok = ::lstat(main_path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111) &&
                      kiln::read_elf_identity(main_path).has_value() && file_sha256(main_path) == expected;
      script_times.push_back(seconds_since(start));
      if (!ok) throw std::runtime_error("the script's checks failed on the unpacked image");
      fs::remove_all(layout);
      fs::remove_all(bundle);
    }
    const auto k = kiln::bench::stats(kiln_times), s = kiln::bench::stats(script_times);
    std::cout << fmt::format("kiln-verify static driver: {} MiB binary on a {} MiB base ({:.1f} MB of compressed layers), "
                             "registry on loopback, {} runs\n",
                             binary_mb, base_mb, image_bytes / 1e6, runs);
    std::cout << fmt::format("  {:<40} {:>8} {:>8} {:>8}\n", "seconds", "median", "min", "max");
    kiln::bench::print_row("skopeo copy + umoci unpack + checks", s, fmt::format("reads all {} bytes", image_bytes));
    kiln::bench::print_row("kiln-verify --driver static (app suite)", k,
                           fmt::format("{:.1f}x faster (target >= 3x)", s.median / k.median));
    std::cout << "  kiln-verify: " << (kiln_read.empty() ? "(no read statistics logged)" : kiln_read) << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "kiln-verify-bench: " << e.what() << "\n";
    return 3;
  }
}
