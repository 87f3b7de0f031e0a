#include "bench/cli/buildah_contender.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>

#include <sstream>

#include "bench/cli/measured_child.h"
#include "core/env.h"
#include "core/error.h"
#include "core/log.h"
#include "core/text.h"

namespace kiln::bench {
namespace {

// Private storage: nothing is shared with other runs or with the machine's own images.
std::vector<std::string> storage_flags(const std::filesystem::path& dir) {
  return {"buildah", "--root", (dir / "root").string(), "--runroot", (dir / "runroot").string(), "--storage-driver",
          "vfs"};
}

}  // namespace

std::vector<std::string> blobs_uploaded_in_push_log(const std::string& log) {
  std::vector<std::string> uploaded;
  std::istringstream lines(log);
  const std::string marker = "digest=sha256%3A";
  for (std::string line; std::getline(lines, line);) {
    if (line.find("PUT ") == std::string::npos || line.find("/blobs/uploads/") == std::string::npos) continue;
    const auto at = line.find(marker);
    if (at == std::string::npos) continue;
    const auto hex = line.substr(at + marker.size(), 64);
    if (hex.size() == 64) uploaded.push_back("sha256:" + hex);
  }
  return uploaded;
}

bool buildah_installed() {
  const auto path = Env::from_process().get("PATH").value_or("/usr/local/bin:/usr/bin:/bin");
  std::istringstream dirs(path);
  std::string dir;
  while (std::getline(dirs, dir, ':'))
    if (!dir.empty() && ::access((std::filesystem::path(dir) / "buildah").c_str(), X_OK) == 0) return true;
  return false;
}

Sample BuildahContender::run(const RunSlot& slot) {
  const auto dir = build_.work_dir / fmt::format("buildah-{}-{}", slot.compression, slot.run);
  std::filesystem::create_directories(dir);
  const std::string local_name = fmt::format("localhost/kiln-bench:{}-{}", slot.compression, slot.run);
  const std::string destination = slot.repository + ":" + build_.tag;

  std::vector<std::string> bud = storage_flags(dir);
  for (const std::string& a : {"bud", "--isolation", "chroot", "--layers=false", "--quiet"}) bud.push_back(a);
  if (!build_.authfile.empty()) bud.insert(bud.end(), {"--authfile", build_.authfile});
  for (const auto& arg : build_.build_args) bud.insert(bud.end(), {"--build-arg", arg});
  if (!build_.target_stage.empty()) bud.insert(bud.end(), {"--target", build_.target_stage});
  bud.insert(bud.end(), {"-f", build_.dockerfile.string(), "-t", local_name, build_.context.string()});

  std::vector<std::string> push = storage_flags(dir);
  push.insert(push.end(), {"--log-level", "debug", "push"});  // the log says which blobs were uploaded
  if (!build_.authfile.empty()) push.insert(push.end(), {"--authfile", build_.authfile});
  if (slot.compression == "none") push.push_back("--disable-compression");
  else push.insert(push.end(), {"--compression-format", slot.compression, "--compression-level",
                                std::to_string(build_.compression_level)});
  push.insert(push.end(), {local_name, "docker://" + destination});

  std::filesystem::create_directories(dir / "blob-info-cache");
  std::filesystem::create_directories(kBuildahBlobInfoCacheDir);
  const std::vector<PrivateBind> fresh_cache{{.source = (dir / "blob-info-cache").string(), .target = std::string(kBuildahBlobInfoCacheDir)}};
  Sample sample;
  for (const auto* argv : {&bud, &push}) {
    const std::string step = argv == &bud ? "bud" : "push";
    const ChildUsage usage = run_measured(*argv, build_.environment, dir / (step + ".log"), build_.timeout, fresh_cache);
    if (usage.exit_code != 0)
      throw_infra(fmt::format("buildah {} ({} run {}) exited {}:\n{}", step, slot.compression, slot.run,
                              usage.exit_code, log::redact(ending(usage.output, 2000))));
    sample.wall_seconds += usage.wall_seconds;
    sample.cpu_seconds += usage.cpu_seconds;
    sample.peak_rss_bytes = std::max(sample.peak_rss_bytes.value_or(0), usage.peak_rss_bytes);
    if (argv == &push && build_.blob_sizes) {
      const auto sizes = build_.blob_sizes(destination);
      std::int64_t bytes = 0;
      for (const std::string& digest : blobs_uploaded_in_push_log(usage.output))
        if (const auto size = sizes.find(digest); size != sizes.end()) bytes += size->second;  // layers only
      sample.bytes_uploaded = bytes;
    }
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);  // a vfs copy of the whole base per run
  return sample;
}

}  // namespace kiln::bench
