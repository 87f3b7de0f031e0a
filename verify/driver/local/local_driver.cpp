#include "verify/driver/local/local_driver.h"

#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <fstream>

#include "core/elf.h"
#include "core/error.h"
#include "core/log.h"
#include "core/temp_dir.h"
#include "core/text.h"
#include "inspect/directory_tree.h"
#include "verify/driver/local/image_user.h"
#include "verify/driver/local/runc_bundle.h"
#include "verify/driver/local/runc_container.h"

namespace kiln::verify {
namespace {

namespace fs = std::filesystem;

// Readable by the probe whatever user it runs as.
void write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out.flush()) throw_infra("cannot write " + path.string());
  fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read);
}

std::string container_id() {
  static std::atomic<unsigned> counter{0};
  return fmt::format("kiln-verify-{}-{}", ::getpid(), counter++);
}

}  // namespace

LocalDriver::LocalDriver(fs::path probe, LocalDriverOptions options)
    : probe_(std::move(probe)), options_(std::move(options)) {}

inspect::Facts LocalDriver::collect(const ImageUnderTest& image, const inspect::FactRequest& request,
                                    const CommandContainer& container) {
  std::error_code ec;
  if (!fs::is_regular_file(probe_, ec))
    throw_infra(fmt::format("the local driver needs kiln-probe, which is not at {}", probe_.string()));
  // Docker would create a missing host directory; kiln creates nothing on the host for a spec.
  for (const BindMount& mount : container.bind_mounts)
    if (!fs::exists(mount.host, ec))
      throw_usage(fmt::format("{}.bindMounts: host path {} does not exist (kiln does not create host paths)",
                              container.origin, mount.host));
  const SandboxSupport support = options_.support.value_or(sandbox_support());
  TempDir bundle("kiln-local");
  // In a user namespace the container's root is not the host's: it must reach rootfs/.
  fs::permissions(bundle.path(), fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
  const fs::path rootfs = bundle.path() / "rootfs";
  fs::create_directory(rootfs);
  const UnpackReport unpacked =
      unpack_rootfs(image.blobs, layers_of(image.image.manifest), rootfs, options_.limits, probe_ids(support));
  for (const std::string& skipped : unpacked.skipped) spdlog::info("{}", skipped);

  const oci::Json& config = image.image.config.contains("config") ? image.image.config["config"] : oci::Json::object();
  const std::string image_user =
      config.contains("User") && config["User"].is_string() ? config["User"].get<std::string>() : "";
  ProbeSandbox sandbox = probe_sandbox(resolve_image_user(container.user.value_or(image_user), inspect::DirectoryTree(rootfs)),
                                       options_.probe, support);
  apply_container_options(sandbox, container);
  for (const std::string& warning : sandbox.warnings) spdlog::warn("{}", warning);
  spdlog::info("{}", sandbox.summary);
  BundleSpec spec{.probe = fs::absolute(probe_), .request = bundle.path() / "request.json", .env = {},
                  .rootfs = "rootfs", .security = sandbox.security, .bind_mounts = container.bind_mounts};
  if (config.contains("Env") && config["Env"].is_array())
    for (const auto& entry : config["Env"]) spec.env.push_back(entry.get<std::string>());
  write_file(spec.request, inspect::to_json(request).dump());
  write_file(bundle.path() / "config.json", runc_config(spec).dump(2));

  double command_seconds = 0;
  for (const inspect::CommandQuery& command : request.commands) command_seconds += command.timeout_seconds;
  const auto timeout = options_.run_timeout.value_or(
      std::chrono::milliseconds(static_cast<std::int64_t>(std::ceil(command_seconds * 1000))) + options_.margin);

  fs::create_directory(bundle.path() / "state");
  RuncContainer runc(options_.runc, bundle.path() / "state", bundle.path(), container_id());
  const RuncContainer::Outcome outcome = runc.run(timeout);
  if (outcome.timed_out)
    throw_infra(fmt::format("kiln-probe in {} did not finish within {} ms (the commands' timeouts plus a margin); "
                            "the container was killed",
                            image.pinned, timeout.count()));
  if (outcome.result.exit_code != 0)
    throw_infra(fmt::format("kiln-probe in {} under runc exited {}: {}", image.pinned, outcome.result.exit_code,
                            ending(outcome.result.err, 4096)));
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(outcome.result.out);
  } catch (const nlohmann::json::parse_error& e) {
    throw_infra(fmt::format("kiln-probe in {} printed no JSON ({}): {}", image.pinned, e.what(),
                            ending(outcome.result.out + outcome.result.err, 4096)));
  }
  return inspect::facts_from_json(doc);
}

std::optional<std::string> LocalDriver::cannot_verify(const oci::Platform& platform) const {
  // The machine's own architecture, named as OCI names it: what kiln-probe itself was built for.
  static const std::string host = [] {
    const auto identity = read_elf_identity(std::filesystem::path("/proc/self/exe"));
    return identity ? identity->architecture : std::string();
  }();
  if (platform.os == "linux" && (host.empty() || platform.architecture == host)) return std::nullopt;
  return "the local driver runs the image on this machine (linux/" + host + "); verify " + platform.to_string() +
         " with --driver static or kubernetes, or leave it out with --platform";
}

}  // namespace kiln::verify
