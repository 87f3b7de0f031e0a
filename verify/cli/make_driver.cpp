#include "verify/cli/make_driver.h"

#include <fmt/format.h>

#include <filesystem>

#include "core/duration.h"
#include "core/error.h"
#include "verify/check/request.h"
#include "verify/driver/kubernetes_driver.h"
#include "verify/driver/local_driver.h"
#include "verify/driver/static_driver.h"

namespace kiln::verify {
namespace {

KubernetesDriverOptions kubernetes_options(const Settings& settings) {
  KubernetesDriverOptions options;
  options.verify_image = settings.get("verify_image");
  if (options.verify_image.empty())
    throw_usage("setting verify_image: the kubernetes driver needs the image that holds kiln-probe (the kiln verify image)");
  const auto deadline = parse_go_duration(settings.get("pod_timeout"));
  if (!deadline) throw_usage(fmt::format("setting pod_timeout: '{}' is not a duration such as 5m or 300s", settings.get("pod_timeout")));
  options.active_deadline_seconds = static_cast<int>(std::max<std::int64_t>(1, std::chrono::duration_cast<std::chrono::seconds>(*deadline).count()));
  options.image_pull_secrets = settings.get_list("image_pull_secrets");
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

std::unique_ptr<Driver> make_driver(const Settings& settings, const Env& env, const std::string& argv0) {
  const std::string name = settings.get("driver");
  if (name == "static") return std::make_unique<StaticDriver>();
  if (name == "local") {
    LocalDriverOptions options;
    options.runc = settings.get("runtime");
    return std::make_unique<LocalDriver>(probe_path(settings, argv0), options);
  }
  if (name == "kubernetes") {
    KubernetesDriverOptions options = kubernetes_options(settings);
    options.cluster = kubernetes::load_cluster_config(
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
  return driver.pod_manifest(image, fact_request(specs, image.image.config, image.image.platform)).dump(2);
}

}  // namespace kiln::verify
