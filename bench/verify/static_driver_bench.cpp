// The static driver against what a script does without kiln: `skopeo copy` the image to an
// OCI layout, `umoci unpack` it, then run the same checks on the unpacked root filesystem.
// The image (~100 MB, in a real docker-registry on loopback) is a base with glibc and busybox,
// a 96 MiB payload layer and the application layer with a static /usr/local/app/main; the
// request is the built-in suite's path checks (exists, mode, ELF, SHA-256), for a static and a
// dynamic main. Prints the median wall time of each and the layers and bytes the driver read.
//
// Measured 2026-11 (2 cores, shared), 5 runs, layers 1.9 MB + 50.8 MB + app (96 MiB payload):
//   static main:  51 ms, 1 of 3 layers, 1.0 MB read; script 4289 ms (84x)
//   dynamic main: 644 ms, 3 of 3 layers once each, 52.7 MB read; script 3860 ms (6x)
//
// Usage: kiln-verify-static-bench [runs]   (default 5)
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <random>

#include "bench/workload.h"
#include "core/process.h"
#include "core/temp_dir.h"
#include "inspect/directory_tree.h"
#include "inspect/gather.h"
#include "oci/credentials/credential.h"
#include "tests/support/local_registry.h"
#include "tests/verify/driver/test_image.h"
#include "tests/verify/driver/test_layers.h"
#include "verify/driver/layer_index.h"
#include "verify/driver/static/static_driver.h"

namespace {

using Clock = std::chrono::steady_clock;
using namespace kiln::verify::testing;

std::string payload(std::size_t size) {
  // Half random, half text-like: compresses about as much as a real base image does.
  std::mt19937_64 rng(7);
  std::string out(size, '\0');
  for (std::size_t i = 0; i < size; ++i) out[i] = (i / 4096) % 2 ? static_cast<char>(rng()) : "kiln verify "[i % 12];
  return out;
}

void must(const std::vector<std::string>& argv) {
  const kiln::ProcessResult r = kiln::run_process(argv);
  if (r.exit_code != 0) throw std::runtime_error(fmt::format("{} exited {}: {}", argv[0], r.exit_code, r.err));
}

}  // namespace

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
  kiln::testing::LocalRegistry registry;
  kiln::oci::RegistryClient client(registry.host(), std::make_shared<kiln::oci::AnonymousKeychain>(),
                                   kiln::oci::RegistryOptions{.insecure = true});
  const std::string base = write_tar({kiln::verify::testing::symlink("lib", "usr/lib"), dir("usr"), dir("usr/lib"),
                                      dir("usr/lib/x86_64-linux-gnu"),
                                      file("usr/lib/x86_64-linux-gnu/libc.so.6", host_file("/lib/x86_64-linux-gnu/libc.so.6")),
                                      dir("bin"), file("bin/busybox", host_file("/bin/busybox"), 0755)});
  const std::string big = write_tar({dir("opt"), file("opt/payload", payload(96u << 20))});
  // A static main needs only its own layer; a dynamic one sends the driver down for its
  // interpreter and libraries, through the payload layer too.
  for (const char* kind : {"static", "dynamic"}) {
    const bool dynamic = std::string(kind) == "dynamic";
    const std::string app = write_tar({dir("usr"), dir("usr/local"), dir("usr/local/app"),
                                       file("usr/local/app/main", host_file(dynamic ? "/bin/true" : "/bin/busybox"), 0755)});
    const std::string tag = kind;
    const kiln::verify::ImageUnderTest image = push_test_image(client, "bench/app", tag, {base, big, app});
    fmt::print("\n{} main: image {}: layers {} + {} + {} bytes\n", kind, image.pinned, base.size(), big.size(),
               app.size());
    const kiln::inspect::FactRequest request{
        .paths = {{.path = "/usr/local/app/main", .contents = false, .sha256 = true, .elf = true}}};
    std::vector<double> kiln_ms, script_ms;
    kiln::verify::StaticDriver driver;
    for (int i = 0; i < runs; ++i) {
      kiln_ms.push_back(kiln::bench::milliseconds_of([&] {
        const auto facts = driver.collect(image, request);
        if (!facts.paths[0].elf) throw std::runtime_error("static driver: no ELF facts");
      }));
      script_ms.push_back(kiln::bench::milliseconds_of([&] {
        kiln::TempDir work("kiln-bench-script");
        must({"skopeo", "copy", "--quiet", "--src-tls-verify=false",
              "docker://" + registry.host() + "/bench/app:" + tag, "oci:" + (work.path() / "layout").string() + ":v1"});
        must({"umoci", "unpack", "--image", (work.path() / "layout").string() + ":v1",
              (work.path() / "bundle").string()});
        const auto facts = kiln::inspect::gather_facts(
            request, kiln::inspect::DirectoryTree(work.path() / "bundle/rootfs"), nullptr);
        if (!facts.paths[0].elf) throw std::runtime_error("script: no ELF facts");
      }));
    }
    std::uint64_t bytes = 0;
    for (const auto& read : driver.last_reads()) {
      fmt::print("  static driver read {} ({} bytes{})\n", read.digest.to_string(), read.bytes,
                 read.again ? ", again" : "");
      bytes += read.bytes;
    }
    const double k = kiln::bench::stats(kiln_ms).median, s = kiln::bench::stats(script_ms).median;
    fmt::print("  static driver: median {:.1f} ms over {} runs, {} of 3 layers, {} bytes read\n", k, runs,
               driver.last_reads().size(), bytes);
    fmt::print("  skopeo copy + umoci unpack + checks: median {:.1f} ms, {} bytes of layers\n", s,
               base.size() + big.size() + app.size());
    fmt::print("  speed-up: {:.1f}x\n", s / k);
  }
  return 0;
}
