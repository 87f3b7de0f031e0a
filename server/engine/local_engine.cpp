#include "server/engine/local_engine.h"

#include <fmt/format.h>

#include <fstream>
#include <optional>

#include "core/error.h"
#include "core/log.h"
#include "core/temp_dir.h"
#include "server/engine/process_group_child.h"
#include "server/store/private_directory.h"

namespace kiln::server {

std::string plugin_variable(const std::string& setting) {
  std::string out = "PLUGIN_";
  for (char ch : setting) out += static_cast<char>(::toupper(static_cast<unsigned char>(ch)));
  return out;
}

LocalEngine::LocalEngine(std::filesystem::path plugin_binary) : plugin_binary_(std::move(plugin_binary)) {
  if (!std::filesystem::exists(plugin_binary_))
    throw_usage(fmt::format("plugin_binary: {} does not exist", plugin_binary_.string()));
}

std::filesystem::path build_tmpdir(const std::filesystem::path& temp_root) {
  const auto dir = temp_root / "tmp";
  create_private_directory(dir);
  return dir;
}

BuildResult LocalEngine::run(const BuildRequest& request, const LogSink& log, const std::atomic<bool>& cancel) {
  BuildResult result;
  try {
    std::optional<TempDir> own_work;  // only when the caller gives the build no temp root
    if (request.temp_dir.empty()) own_work.emplace("kiln-server-" + request.id + "-");
    const std::filesystem::path work = own_work ? own_work->path() : request.temp_dir;
    auto env = clean_base_environment();
    for (const auto& [name, value] : request.settings) env[plugin_variable(name)] = value;
    const auto digest_file = work / "digest";
    env["PLUGIN_DIGEST_FILE"] = digest_file.string();
    // Credentials kiln-plugin writes stay in this build's directory, not a shared ~/.docker, and
    // so does every temporary file it makes (a merged config.json among them): the queue
    // removes the directory when the build ends, and a restart removes what a crash left.
    env["DOCKER_CONFIG"] = (work / "docker").string();
    create_private_directory(work / "docker");
    env["TMPDIR"] = build_tmpdir(work).string();

    // The last line kiln-plugin printed is its error message when it fails.
    std::string last_line;
    const LogSink keep_last = [&](std::string_view line) {
      if (!line.empty()) last_line = line;
      log(line);
    };
    const GroupRun run = run_in_process_group({plugin_binary_.string()}, env, request.context_dir, keep_last, cancel);
    result.exit_code = run.exit_code;
    if (run.cancelled) {
      result.state = BuildResult::State::cancelled;
      result.message = "cancelled";
      return result;
    }
    if (run.exit_code != 0) {
      result.message = fmt::format("kiln-plugin exited with {}: {}", run.exit_code, log::redact(last_line));
      return result;
    }
    std::ifstream in(digest_file);
    std::getline(in, result.digest);
    if (result.digest.rfind("sha256:", 0) != 0) {
      result.message = "kiln-plugin exited 0 but wrote no digest";
      result.digest.clear();
      return result;
    }
    result.state = BuildResult::State::succeeded;
  } catch (const std::exception& e) {
    result.state = BuildResult::State::failed;
    result.message = e.what();
  }
  return result;
}

}  // namespace kiln::server
