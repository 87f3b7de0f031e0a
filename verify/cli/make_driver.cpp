#include "verify/cli/make_driver.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "core/byte_quantity.h"
#include "core/duration.h"
#include "core/error.h"
#include "core/log.h"
#include "verify/check/request.h"
#include "verify/driver/kubernetes/kubernetes_driver.h"
#include "verify/driver/local/local_driver.h"
#include "verify/driver/static/static_driver.h"

namespace kiln::verify {
namespace {

// A byte-sized setting; `minimum` keeps out values nothing could run in (0 passes: no limit).
std::uint64_t byte_setting(const Settings& settings, const std::string& name, std::uint64_t minimum) {
  const std::string text = settings.get(name);
  const auto bytes = parse_byte_quantity(text);
  if (!bytes) throw_usage(fmt::format("setting {}: '{}' is not a byte quantity such as 512Mi, 2Gi or 1048576", name, text));
  if (*bytes != 0 && *bytes < minimum)
    throw_usage(fmt::format("setting {}: {} is below the least kiln-probe needs, {}", name, text, format_byte_quantity(minimum)));
  return *bytes;
}

constexpr std::uint64_t kLeastProbeMemory = 16ull << 20;

// Settings that mean something to some drivers only: set for another, they are reported, not
// silently dropped.
void warn_unused(const Settings& settings, const std::string& driver) {
  struct Use {
    const char* setting;
    std::vector<std::string> drivers;
  };
  static const std::vector<Use> uses = {{"probe", {"local"}},           {"runtime", {"local"}},
                                        {"unpack_max_bytes", {"local"}}, {"unpack_max_entries", {"local"}},
                                        {"pids_limit", {"local"}},
                                        {"memory_limit", {"local", "kubernetes"}}};
  for (const Use& use : uses) {
    if (!settings.has(use.setting) || std::count(use.drivers.begin(), use.drivers.end(), driver)) continue;
    const std::string why = driver == "static" ? "the static driver reads the layers and runs nothing"
                            : std::string(use.setting) == "pids_limit"
                                ? "a pod's process limit is the kubelet's (podPidsLimit)"
                                : "the cluster pulls and runs the image, not kiln-verify";
    spdlog::warn("setting {} has no effect with the {} driver: {}", use.setting, driver, why);
  }
}

LocalDriverOptions local_options(const Settings& settings) {
  LocalDriverOptions options;
  options.runc = settings.get("runtime");
  options.limits.max_bytes = byte_setting(settings, "unpack_max_bytes", 0);
  if (options.limits.max_bytes == 0) throw_usage("setting unpack_max_bytes: 0 would unpack nothing; give a size such as 2Gi");
  const std::int64_t entries = settings.get_int("unpack_max_entries");
  if (entries < 1) throw_usage(fmt::format("setting unpack_max_entries: {} would unpack nothing", entries));
  options.limits.max_entries = static_cast<std::uint64_t>(entries);
  const std::uint64_t memory = byte_setting(settings, "memory_limit", kLeastProbeMemory);
  options.probe.memory_bytes = memory == 0 ? std::nullopt : std::optional(memory);
  const std::int64_t pids = settings.get_int("pids_limit");
  if (pids < 0 || (pids > 0 && pids < 8))
    throw_usage(fmt::format("setting pids_limit: {} must be 0 (no limit) or at least 8, for kiln-probe and a command", pids));
  options.probe.pids = pids == 0 ? std::nullopt : std::optional(pids);
  return options;
}

KubernetesDriverOptions kubernetes_options(const Settings& settings) {
  KubernetesDriverOptions options;
  options.verify_image = settings.get("verify_image");
  if (options.verify_image.empty())
    throw_usage("setting verify_image: the kubernetes driver needs the image that holds kiln-probe (the kiln verify image)");
  const auto deadline = parse_go_duration(settings.get("pod_timeout"));
  if (!deadline) throw_usage(fmt::format("setting pod_timeout: '{}' is not a duration such as 5m or 300s", settings.get("pod_timeout")));
  options.active_deadline_seconds = static_cast<int>(std::max<std::int64_t>(1, std::chrono::duration_cast<std::chrono::seconds>(*deadline).count()));
  options.image_pull_secrets = settings.get_list("image_pull_secrets");
  const std::uint64_t memory = byte_setting(settings, "memory_limit", kLeastProbeMemory);
  if (memory == 0) {
    options.resources.limits.erase("memory");
  } else {
    options.resources.limits["memory"] = format_byte_quantity(memory);
    // A request above the limit is refused by the API server.
    if (memory < (64ull << 20)) options.resources.requests["memory"] = format_byte_quantity(memory);
  }
  return options;
}

}  // namespace

std::filesystem::path probe_path(const Settings& settings, const std::string& argv0) {
  if (settings.has("probe")) return settings.get("probe");
  std::error_code ec;
  std::filesystem::path self = std::filesystem::canonical("/proc/self/exe", ec);
  if (ec) self = std::filesystem::absolute(argv0);
  std::vector<std::filesystem::path> candidates = {self.parent_path() / "kiln-probe"};
  // The bundle's launcher (ci/bundle.sh) runs kiln-verify through the bundle's own ld.so, so
  // /proc/self/exe names the loader in <bundle>/lib/; it passes its own absolute path as argv[0].
  if (argv0.find('/') != std::string::npos)
    candidates.push_back(std::filesystem::absolute(argv0).parent_path() / "kiln-probe");
  // Installed, kiln-probe is a program nobody runs directly: libexec/kiln/ (CMakeLists.txt).
  candidates.push_back((self.parent_path() / KILN_PROBE_FROM_BINDIR).lexically_normal());
  // In a build tree, probe/ is beside verify/.
  candidates.push_back(self.parent_path().parent_path() / "probe/kiln-probe");
  for (const auto& candidate : candidates)
    if (std::filesystem::exists(candidate)) return candidate;
  throw_usage(fmt::format("setting probe: kiln-probe is not next to {}; name it with --probe", self.string()));
}

std::string driver_name(const Settings& settings) {
  const std::string name = settings.get("driver");
  // container-structure-test's drivers: docker runs commands in the image, tar reads its layers.
  if (name == "docker") return "local";
  if (name == "tar") return "static";
  if (name == "host")
    throw_usage("setting driver: CST's host driver tests this machine itself, not an image; kiln-verify verifies "
                "images only (static, local, kubernetes)");
  return name;
}

std::unique_ptr<Driver> make_driver(const Settings& settings, const Env& env, const std::string& argv0) {
  const std::string name = driver_name(settings);
  warn_unused(settings, name);
  if (name == "static") return std::make_unique<StaticDriver>();
  if (name == "local") {
    LocalDriverOptions options = local_options(settings);
    return std::make_unique<LocalDriver>(probe_path(settings, argv0), std::move(options));
  }
  if (name == "kubernetes") {
    KubernetesDriverOptions options = kubernetes_options(settings);
    options.cluster = kiln::kubernetes::load_cluster_config(
        env, {.kubeconfig = settings.get("kubeconfig"), .context = settings.get("kube_context"),
              .namespace_name = settings.get("namespace")});
    return std::make_unique<KubernetesDriver>(std::move(options));
  }
  throw_usage(fmt::format("setting driver: '{}' is not one of static, local, kubernetes", name));
}

std::string pod_manifest_text(const Settings& settings, const ImageUnderTest& image, const std::vector<Spec>& specs) {
  KubernetesDriverOptions options = kubernetes_options(settings);
  options.cluster.namespace_name = settings.get("namespace");
  const KubernetesDriver driver(std::move(options));
  // One pod per container the run needs (containerRunOptions, setup), as YAML-style documents.
  std::string out;
  const std::vector<FactRun> runs = fact_runs(specs, image.image.config, image.image.platform);
  for (std::size_t i = 0; i < runs.size(); ++i) {
    if (i > 0 && runs[i].request.commands.empty()) continue;
    out += (out.empty() ? "" : "\n---\n") + driver.pod_manifest(image, runs[i].request, runs[i].container).dump(2);
  }
  return out;
}

}  // namespace kiln::verify
