#include "server/engine/local_engine.h"

#include <fmt/format.h>

#include <fstream>

#include "core/error.h"
#include "core/log.h"
#include "core/temp_dir.h"
#include "server/engine/process_group_child.h"

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

BuildResult LocalEngine::run(const BuildRequest& request, const LogSink& log, const std::atomic<bool>& cancel) {
  BuildResult result;
  try {
    const TempDir work("kiln-server-" + request.id + "-");
    auto env = clean_base_environment();
    for (const auto& [name, value] : request.settings) env[plugin_variable(name)] = value;
    const auto digest_file = work.path() / "digest";
    env["PLUGIN_DIGEST_FILE"] = digest_file.string();
    // Credentials kiln-plugin writes stay in this build's directory, not a shared ~/.docker.
    env["DOCKER_CONFIG"] = (work.path() / "docker").string();
    std::filesystem::create_directories(work.path() / "docker");

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
