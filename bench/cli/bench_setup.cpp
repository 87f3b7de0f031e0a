#include "bench/cli/bench_setup.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <ostream>
#include <sstream>
#include <thread>

#include "bench/cli/buildah_contender.h"
#include "bench/cli/floor_contender.h"
#include "bench/cli/plugin_contender.h"
#include "bench/workload.h"
#include "core/error.h"
#include "fixtures/busybox_image.h"
#include "oci/json.h"
#include "oci/registry/client.h"
#include "plugin/ci_context.h"
#include "plugin/docker_config_writer.h"
#include "plugin/plan.h"
#include "plugin/run_build.h"
#include "plugin/settings.h"

namespace kiln::bench {
namespace fs = std::filesystem;
namespace {

bool executable(const fs::path& path) { return !path.empty() && ::access(path.c_str(), X_OK) == 0 && !fs::is_directory(path); }

fs::path on_path(const Env& env, const std::string& name) {
  std::istringstream dirs(env.get("PATH").value_or("/usr/local/bin:/usr/bin:/bin"));
  std::string dir;
  while (std::getline(dirs, dir, ':'))
    if (!dir.empty() && executable(fs::path(dir) / name)) return fs::path(dir) / name;
  return {};
}

// Installed, kiln-plugin is kiln-bench's sibling; in the build tree it is ../plugin/.
fs::path find_plugin(const BenchOptions& options, const Env& env, const fs::path& self) {
  if (!options.plugin_binary.empty()) {
    if (!executable(options.plugin_binary)) throw_usage(fmt::format("--plugin {}: not an executable file", options.plugin_binary));
    return fs::absolute(options.plugin_binary);
  }
  for (const fs::path& candidate : {self.parent_path() / "kiln-plugin", self.parent_path() / "../plugin/kiln-plugin"})
    if (executable(candidate)) return fs::absolute(candidate).lexically_normal();
  if (fs::path found = on_path(env, "kiln-plugin"); !found.empty()) return found;
  throw_usage(fmt::format("--plugin: no kiln-plugin next to {} nor on PATH; name it with --plugin PATH", self.string()));
}

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

std::vector<fs::path> floor_files(const plugin::BuildPlan& plan) {
  std::vector<fs::path> files;
  if (plan.kind == plugin::BuildKind::binary_on_base) {
    for (const auto& b : plan.binaries) files.push_back(b.path);
    return files;
  }
  // A Dockerfile's new bytes are at most its context's files.
  for (const auto& e : fs::recursive_directory_iterator(plan.context, fs::directory_options::skip_permission_denied))
    if (e.is_regular_file() && !e.is_symlink()) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

std::string megabytes(const std::vector<fs::path>& files) {
  std::uintmax_t total = 0;
  for (const auto& f : files) total += fs::file_size(f);
  return fmt::format("{:.1f} MB", static_cast<double>(total) / 1e6);
}

std::map<std::string, std::int64_t> blob_sizes(const plugin::Settings& settings, const plugin::BuildPlan& plan,
                                               const Env& env, const std::string& reference) {
  const auto ref = oci::Reference::parse(reference);
  oci::RegistryClient client(ref.registry(), plugin::make_keychain(settings, plan, env), plan.access.options_for(ref.registry()));
  const oci::Json manifest = oci::parse_json(client.get_manifest(ref.repository(), ref.tag()).bytes, reference);
  std::map<std::string, std::int64_t> sizes;
  for (const auto& layer : manifest.value("layers", oci::Json::array()))
    sizes[layer.at("digest").get<std::string>()] = layer.at("size").get<std::int64_t>();
  return sizes;
}

}  // namespace

BenchSetup::BenchSetup(const BenchOptions& options, const Env& env, const fs::path& self, std::ostream& progress)
    : work_("kiln-bench"), runs_(options.runs) {
  std::vector<std::string> warnings;
  const plugin::Settings given = plugin::load_settings(env, options.plugin_args, &warnings);
  for (const auto& w : warnings) progress << "kiln-bench: warning: " << w << "\n";
  if (!given.get("destinations").empty())
    throw_usage("setting destinations: kiln-bench pushes each run to a repository of its own; give repo instead");
  if (!given.get("push_only").empty() && given.get_bool("push_only"))
    throw_usage("setting push_only: kiln-bench measures builds; there is nothing to build");
  if (given.get_bool("dry_run")) throw_usage("setting dry_run: kiln-bench measures builds that push");
  const bool embedded = given.get("repo").empty() && given.get("registry").empty() && !env.get("CI_REGISTRY_IMAGE");
  if (options.workload && !embedded)
    throw_usage("--workload: the generated base goes to the embedded registry; leave repo and registry unset");

  std::vector<std::string> args = options.plugin_args;  // the build, then kiln-bench's additions
  if (embedded) {
    registry_ = std::make_unique<fixtures::LocalRegistry>();
    progress << "kiln-bench: embedded docker-registry on " << registry_->host() << "\n";
    registry_description_ = fmt::format("embedded docker-registry on {} (plain HTTP, loopback)", registry_->host());
    args = with(args, {"--repo=" + registry_->host() + "/kiln-bench/app", "--insecure=true"});
  }
  if (options.workload) {
    if (!given.get("binary").empty() || !given.get("base_image").empty())
      throw_usage("--workload makes the binary and the base image; do not also set binary or base_image");
    const fs::path binary = work_.path() / "main", payload = work_.path() / "payload";
    progress << fmt::format("kiln-bench: making the workload: {} MiB binary on a busybox base with {} MiB more\n",
                            options.workload->binary_mb, options.workload->base_mb);
    write_real_binary_bytes(binary, options.workload->binary_mb << 20, 0);
    fs::permissions(binary, fs::perms(0755));
    write_real_binary_bytes(payload, options.workload->base_mb << 20, options.workload->binary_mb << 20);
    fixtures::push_busybox_base(*registry_->client(), {.repository = "kiln-bench/base", .tag = "1",
                                                       .payload_file = payload.string()});
    fs::remove(payload);
    args = with(args, {"--binary=" + binary.string(), "--base_image=" + registry_->host() + "/kiln-bench/base:1"});
  }

  // kiln-plugin's table and planner judge the build once, before any run.
  const plugin::Settings settings = plugin::load_settings(env, args, nullptr);
  const plugin::BuildPlan plan = plugin::make_plan(settings, env);
  repository_ = plan.target.registry() + "/" + plan.target.repository();
  compression_level_ = plan.compression.level;
  if (!embedded) registry_description_ = plan.target.registry() + " (given by the build's settings)";
  const std::vector<fs::path> new_bytes = floor_files(plan);
  build_description_ = plan.kind == plugin::BuildKind::binary_on_base
                           ? fmt::format("binary {} ({}) on {}", plan.binaries.front().path.string(), megabytes(new_bytes),
                                         plan.base.to_string())
                           : fmt::format("Dockerfile {}, context {} ({} in files)", plan.dockerfile.string(),
                                         plan.context.string(), megabytes(new_bytes));

  std::vector<std::string> compressions = options.compressions;
  if (compressions.empty()) compressions.push_back(settings.get("compression"));
  for (const Budget& b : options.budgets)
    if (!b.compression.empty() && std::find(compressions.begin(), compressions.end(), b.compression) == compressions.end())
      throw_usage(fmt::format("--budget {}: {} is not measured in this run (--compression {})", b.text, b.compression,
                              fmt::format("{}", fmt::join(compressions, ","))));
  const auto wanted = [&](const std::string& backend) {
    return options.backends.empty() || std::find(options.backends.begin(), options.backends.end(), backend) != options.backends.end();
  };

  const std::map<std::string, std::string> child_env = env.vars;
  const fs::path logs = work_.path() / "logs";
  fs::create_directories(logs);
  std::shared_ptr<Contender> floor = std::make_shared<FloorContender>(new_bytes, plan.compression.level);
  std::shared_ptr<Contender> native, kaniko, buildah;
  std::string native_absent, kaniko_absent, buildah_absent;
  const auto plugin_run = [&](const std::string& backend) {
    return std::make_shared<PluginContender>(PluginInvocation{.plugin_binary = find_plugin(options, env, self).string(),
                                                              .backend = backend, .build_args = args, .overrides = {},
                                                              .environment = child_env, .log_dir = logs,
                                                              .timeout = options.run_timeout});
  };
  if (wanted("native")) native = plugin_run("native");
  if (!wanted("kaniko")) kaniko_absent = "not asked for (--backends)";
  else if (!executable(settings.get("executor")))
    kaniko_absent = fmt::format("no executor at {} (setting executor)", settings.get("executor"));
  else kaniko = plugin_run("kaniko");
  if (!wanted("buildah")) buildah_absent = "not asked for (--backends)";
  else if (!buildah_installed()) buildah_absent = "buildah is not installed";
  else if (plan.binaries.size() > 1) buildah_absent = "buildah builds one platform per run; the build has several binaries";
  else {
    BuildahBuild build{.dockerfile = plan.dockerfile, .context = plan.context, .build_args = {}, .target_stage = plan.target_stage,
                       .tag = plan.target.tag(), .compression_level = plan.compression.level, .authfile = {},
                       .environment = child_env, .work_dir = work_.path() / "buildah", .timeout = options.run_timeout,
                       .blob_sizes = [settings, plan, env](const std::string& ref) { return blob_sizes(settings, plan, env, ref); }};
    if (plan.kind == plugin::BuildKind::binary_on_base) {
      // The template kiln-plugin gives Kaniko, with the binary alone in its context.
      const fs::path context = work_.path() / "buildah-context";
      fs::create_directories(context);
      fs::copy_file(plan.binaries.front().path, context / "main");
      std::ofstream(context / "Dockerfile") << plugin::binary_template(plan, "main");
      build.dockerfile = context / "Dockerfile";
      build.context = context;
    }
    // A value taken from the environment stays off the command line, as with kiln-plugin.
    for (const auto& arg : plan.build_args) build.build_args.push_back(arg.from_env ? arg.name : arg.name + "=" + arg.value);
    const auto ci = plugin::read_ci_context(env);
    fs::create_directories(work_.path() / "auth");
    build.authfile = plugin::write_docker_config(plugin::make_docker_config(settings, ci), work_.path() / "auth").string();
    if (plan.access.insecure) {
      std::ofstream(work_.path() / "registries.conf") << fmt::format(
          "[[registry]]\nlocation = \"{}\"\ninsecure = true\n\n[[registry]]\nlocation = \"{}\"\ninsecure = true\n",
          plan.target.registry(), plan.base.registry());
      build.environment["CONTAINERS_REGISTRIES_CONF"] = (work_.path() / "registries.conf").string();
    }
    buildah = std::make_shared<BuildahContender>(std::move(build));
  }

  for (const std::string& compression : compressions) {
    rows_.push_back({.row = {.backend = "floor", .compression = compression, .absent_reason = {}, .uploaded_note = {}, .samples = {}},
                     .contender = floor});
    if (native)
      rows_.push_back({.row = {.backend = "native", .compression = compression, .absent_reason = {},
                               .uploaded_note = "compressed bytes of the new layers, from kiln-plugin's summary",
                               .samples = {}},
                       .contender = native});
    rows_.push_back({.row = {.backend = "kaniko", .compression = compression, .absent_reason = kaniko_absent,
                             .uploaded_note = "n/a: the executor does not say what it pushed", .samples = {}},
                     .contender = kaniko});
    rows_.push_back({.row = {.backend = "buildah", .compression = compression, .absent_reason = buildah_absent,
                             .uploaded_note = "the layers its debug log shows uploaded (PUT ...?digest=), sized from the pushed manifest",
                             .samples = {}},
                     .contender = buildah});
  }
}

BenchSetup::~BenchSetup() = default;

std::string BenchSetup::repository_for(const Row& row, int run) const {
  return fmt::format("{}-{}-{}-{}", repository_, row.backend, row.compression, run);
}

BenchReport BenchSetup::report_skeleton() const {
  BenchReport report{.build = build_description_, .registry = registry_description_, .runs = runs_,
                     .compression_level = compression_level_, .machine = {}, .rows = {}};
  report.machine.cores = std::thread::hardware_concurrency();
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);)
    if (line.starts_with("model name")) {
      report.machine.cpu = line.substr(line.find(':') + 2);
      break;
    }
  utsname u{};
  if (uname(&u) == 0) report.machine.kernel = std::string(u.sysname) + " " + u.release;
  for (const PlannedRow& p : rows_) report.rows.push_back(p.row);
  return report;
}

}  // namespace kiln::bench
