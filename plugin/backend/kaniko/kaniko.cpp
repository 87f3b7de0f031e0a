#include "plugin/backend/kaniko/kaniko.h"

#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>

#include "core/log.h"
#include "core/read_file.h"
#include "core/process.h"
#include "core/stop_signals.h"
#include "oci/reference.h"
#include "plugin/backend/kaniko/kaniko_argv.h"

namespace kiln::plugin {
namespace fs = std::filesystem;
namespace {

std::string default_digest_file(const std::string& executor) {
  // Next to the executor: Kaniko never snapshots its own directory, so the file cannot leak
  // into the image, and a bare "executor" found in PATH gets the temp dir.
  const fs::path dir = fs::path(executor).parent_path();
  const fs::path base = dir.empty() ? fs::temp_directory_path() : dir;
  return (base / fmt::format("kiln-digest-{}", ::getpid())).string();
}

void check_runnable(const KanikoOptions& o) {
  if (o.destinations.empty() && !o.no_push)
    throw_usage("kaniko: no destination to push to: set a repository and tags, or no_push");
  if (o.destinations.empty() && !(o.image_name_with_digest_file.empty() && o.image_name_tag_with_digest_file.empty()))
    throw_usage("kaniko: image-name digest files need at least one destination");
}

void remove_quietly(const std::string& path) {
  std::error_code ignored;
  fs::remove(path, ignored);
}

void remove_stale(const std::string& path) {
  std::error_code ec;
  fs::remove(path, ec);
  if (ec) throw_infra(fmt::format("cannot remove the old digest file {}: {}", path, ec.message()));
}

oci::Digest read_digest_file(const std::string& path) {
  // "sha256:" and 64 hex digits; anything much longer is not a digest.
  constexpr std::size_t max_digest_file_bytes = 4096;
  auto text = read_file(path, max_digest_file_bytes, "kaniko's digest file");
  if (!text) throw_infra(fmt::format("kaniko executor exited 0 but wrote no digest file at {}", path));
  std::string digest = std::move(*text);
  // Kaniko writes no newline; tolerate one in case an executor build adds it.
  while (!digest.empty() && (digest.back() == '\n' || digest.back() == '\r')) digest.pop_back();
  try {
    return oci::Digest::parse(digest);
  } catch (const Error& e) {
    throw_infra(fmt::format("kaniko digest file {}: {}", path, e.what()));
  }
}

std::vector<oci::Reference> pushed_references(const KanikoOptions& o) {
  std::vector<oci::Reference> pushed;
  if (o.no_push) return pushed;
  for (const auto& destination : o.destinations) {
    try {
      pushed.push_back(oci::Reference::parse(destination));
    } catch (const Error& e) {
      // The executor accepted it and pushed; failing now would hide a good build.
      spdlog::warn("pushed {} but cannot report it: {}", destination, e.what());
    }
  }
  return pushed;
}

}  // namespace

void write_line_to_stderr(std::string_view line) {
  std::string text(line);
  text += '\n';
  std::fwrite(text.data(), 1, text.size(), stderr);
  std::fflush(stderr);
}

std::string kaniko_exit_message(int exit_code) {
  std::string message = fmt::format("kaniko executor exited {}", exit_code);
  if (exit_code == 137)
    message += ": killed (out of memory?): raise the memory limit or set compressed_caching: false";
  return message;
}

KanikoBackend::KanikoBackend(KanikoOptions options, OutputLineSink sink)
    : options_(std::move(options)), sink_(std::move(sink)) {
  if (options_.digest_file.empty()) {
    options_.digest_file = default_digest_file(options_.executor);
    own_digest_file_ = true;
  }
}

BuildResult KanikoBackend::run() {
  check_runnable(options_);
  // A file left by an earlier run must not pass for this run's digest.
  remove_stale(options_.digest_file);

  const std::vector<std::string> argv = kaniko_argv(options_);
  spdlog::info("+ {}", loggable_command(argv));

  ProcessOptions process;
  if (!options_.docker_config_dir.empty()) process.extra_env["DOCKER_CONFIG"] = options_.docker_config_dir;
  process.unset_env = options_.withheld_env;
  if (!options_.google_credentials_file.empty())
    process.extra_env["GOOGLE_APPLICATION_CREDENTIALS"] = options_.google_credentials_file;
  process.on_output_line = [this](std::string_view line) { sink_(log::redact(std::string(line))); };
  // The executor runs RUN commands as its children: a stop signal or a kill of ours must reach
  // them all, and the executor must not outlive us.
  process.own_process_group = true;
  // Ours to remove if a stop signal comes while the executor runs.
  std::optional<RemoveOnStop> digest_removal;
  if (own_digest_file_) digest_removal.emplace(options_.digest_file);
  const int code = run_process(argv, process).exit_code;  // 128 + S when killed by signal S: 137 for OOM

  // Kaniko writes the digest file before it pushes, so a failed run can leave one behind:
  // read it only after exit 0.
  if (code != 0) {
    if (own_digest_file_) remove_quietly(options_.digest_file);
    throw KanikoExitError(code, kaniko_exit_message(code));
  }
  oci::Digest digest = read_digest_file(options_.digest_file);
  if (own_digest_file_) remove_quietly(options_.digest_file);
  return BuildResult{.digest = std::move(digest),
                     .media_type = {},  // the executor does not say; read the manifest if needed
                     .pushed = pushed_references(options_),
                     .layers_uploaded = 0,
                     .base_layers_copied = 0};
}

}  // namespace kiln::plugin
