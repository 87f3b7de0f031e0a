#include "verify/driver/kubernetes/kubernetes_driver.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <random>
#include <sstream>

#include "core/error.h"
#include "core/text.h"
#include "kubernetes/api_client.h"
#include "kubernetes/pod_events.h"
#include "kubernetes/pod_watch.h"
#include "verify/driver/kubernetes/pod_verdict.h"

namespace kiln::verify {
namespace {

using namespace std::chrono_literals;
using kiln::kubernetes::ApiClient;
using kubernetes::PodVerdict;

constexpr std::chrono::seconds longest_watch{60};
constexpr std::size_t log_tail_bytes = 2048;

std::string random_run_id() {
  std::random_device device;
  return fmt::format("{:08x}{:08x}", device(), device());
}

// Deletes the pod however collect() ends: result, infrastructure error, timeout or exception.
class PodGuard {
 public:
  PodGuard(ApiClient& client, std::string name) : client_(client), name_(std::move(name)) {}
  ~PodGuard() {
    try {
      client_.delete_pod(name_);
    } catch (const std::exception& e) {
      spdlog::warn("could not delete check pod '{}' (label app.kubernetes.io/managed-by=kiln-verify finds leftovers): {}",
                   name_, e.what());
    }
  }
  PodGuard(const PodGuard&) = delete;
  PodGuard& operator=(const PodGuard&) = delete;

 private:
  ApiClient& client_;
  std::string name_;
};

}  // namespace

inspect::Facts facts_from_probe_log(const std::string& log) {
  std::istringstream lines(log);
  std::optional<nlohmann::json> found;
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line.front() != '{') continue;
    try {
      auto doc = nlohmann::json::parse(line);
      if (doc.is_object()) found = std::move(doc);
    } catch (const nlohmann::json::exception&) {
      // a diagnostic on stderr that happens to start with '{'
    }
  }
  if (!found) throw_infra(fmt::format("kiln-probe printed no JSON result; its log ends with:\n{}", ending(log, log_tail_bytes)));
  return inspect::facts_from_json(*found);
}

KubernetesDriver::KubernetesDriver(KubernetesDriverOptions options) : options_(std::move(options)) {
  if (options_.verify_image.empty())
    throw_usage("driver kubernetes needs verify-image: the kiln image that holds /kiln-probe");
  if (options_.active_deadline_seconds <= 0) throw_usage("the kubernetes check deadline must be positive");
  // The run id becomes a label value: at most 63 of [A-Za-z0-9-_.], alphanumeric at both ends.
  const std::string& id = options_.run_id;
  const auto alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  if (!id.empty() && (id.size() > 63 || !alnum(id.front()) || !alnum(id.back()) ||
                      !std::all_of(id.begin(), id.end(), [&](char c) { return alnum(c) || c == '-' || c == '_' || c == '.'; })))
    throw_usage(fmt::format("run id '{}' is not a valid Kubernetes label value (at most 63 letters, digits, '-', '_', "
                            "'.', starting and ending with a letter or digit)", id));
}

std::optional<std::string> KubernetesDriver::cannot_run(const CommandContainer& container) const {
  return kubernetes::restricted_refusal(container);
}

oci::Json KubernetesDriver::pod_manifest(const ImageUnderTest& image, const inspect::FactRequest& request,
                                         const CommandContainer& container) const {
  if (const auto refusal = kubernetes::restricted_refusal(container)) throw_usage(*refusal);
  std::string user;
  if (image.image.config.contains("config") && image.image.config["config"].is_object())
    user = image.image.config["config"].value("User", std::string());
  return kubernetes::check_pod({.verify_image = options_.verify_image,
                                .image = image.pinned,
                                .platform = image.image.platform,
                                .image_user = user,
                                .run_id = options_.run_id.empty() ? random_run_id() : options_.run_id,
                                .active_deadline_seconds = options_.active_deadline_seconds,
                                .image_pull_secrets = options_.image_pull_secrets,
                                .probe_volume_size = options_.probe_volume_size,
                                .resources = options_.resources,
                                .request = request,
                                .container = container});
}

inspect::Facts KubernetesDriver::collect(const ImageUnderTest& image, const inspect::FactRequest& request,
                                         const CommandContainer& container) {
  const oci::Json manifest = pod_manifest(image, request, container);
  if (manifest["metadata"].contains("annotations"))
    spdlog::warn("{}: {}", image.reference, manifest["metadata"]["annotations"][kubernetes::user_note_annotation].get<std::string>());

  ApiClient client(options_.cluster);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(options_.active_deadline_seconds) +
                        options_.deadline_slack;
  oci::Json pod = client.create_pod(manifest);
  const std::string name = pod["metadata"].value("name", std::string());
  if (name.empty()) throw_infra("Kubernetes API: the created check pod has no name");
  PodGuard guard(client, name);
  const std::string where = fmt::format("check pod '{}/{}' for {}", client.namespace_name(), name, image.pinned);
  spdlog::info("kubernetes: created {}", where);

  PodVerdict verdict;
  const auto end = kiln::kubernetes::watch_until_settled(client, name, pod,
                                                         {.deadline = deadline, .longest_watch = longest_watch},
                                                         [&](const oci::Json& object) {
                                                           verdict = kubernetes::judge_pod(object);
                                                           return verdict.kind != PodVerdict::Kind::waiting;
                                                         });
  if (end == kiln::kubernetes::PodWatchEnd::deleted)
    verdict = {.kind = PodVerdict::Kind::infra_failure, .exit_code = 0, .reason = "the pod was deleted by someone else"};

  if (verdict.kind == PodVerdict::Kind::waiting)
    throw_infra(fmt::format("{}: no result within {} s (activeDeadlineSeconds {} + {} s){}", where,
                            options_.active_deadline_seconds + options_.deadline_slack.count(),
                            options_.active_deadline_seconds, options_.deadline_slack.count(),
                            kiln::kubernetes::describe_pod_events(client, name)));
  if (verdict.kind == PodVerdict::Kind::infra_failure)
    throw_infra(fmt::format("{}: {}{}", where, verdict.reason, kiln::kubernetes::describe_pod_events(client, name)));

  const std::string log = client.pod_log(name, kubernetes::check_container, options_.log_limit_bytes);
  if (verdict.exit_code != 0)
    throw_infra(fmt::format("{}: kiln-probe exited with code {}; its log ends with:\n{}", where, verdict.exit_code,
                            ending(log, log_tail_bytes)));
  try {
    return facts_from_probe_log(log);
  } catch (const Error& e) {
    throw_infra(fmt::format("{}: {}", where, e.what()));
  }
}

}  // namespace kiln::verify
