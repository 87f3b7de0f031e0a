// One pod followed to its end against a STAND-IN API server (tests/support/stand_in_kubernetes_api.h;
// there is no cluster here): through watch events, after a 410 Gone, up to a deadline, or until
// the caller stops.
#include "kubernetes/pod_watch.h"

#include <gtest/gtest.h>

#include "kubernetes/pod_status.h"
#include "tests/support/stand_in_kubernetes_api.h"

namespace kiln::kubernetes {
namespace {

using namespace std::chrono_literals;
using kiln::testing::PodScript;
using kiln::testing::ScriptedPod;
using kiln::testing::StandInKubernetesApi;

const std::string token = "watch-token-4Qm";

ClusterConfig cluster(const StandInKubernetesApi& api) {
  return {.server = api.server(), .token = token, .namespace_name = "ci", .source = "test"};
}

bool succeeded(const oci::Json& pod) { return pod["status"].value("phase", "") == "Succeeded"; }

oci::Json created(ApiClient& client) {
  return client.create_pod({{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", {{"name", "watched"}}}});
}

TEST(PodWatch, FollowsEventsUntilSettledAndKeepsTheLastState) {
  StandInKubernetesApi api(ScriptedPod{.statuses = {{{"phase", "Pending"}}, {{"phase", "Running"}}, {{"phase", "Succeeded"}}}},
                           token);
  ApiClient client(cluster(api));
  oci::Json pod = created(client);
  std::vector<std::string> judged;
  const PodWatchEnd end = watch_until_settled(client, "watched", pod, {.deadline = std::chrono::steady_clock::now() + 30s},
                                              [&](const oci::Json& state) {
                                                judged.push_back(state["status"].value("phase", ""));
                                                return succeeded(state);
                                              });
  EXPECT_EQ(end, PodWatchEnd::settled);
  EXPECT_EQ(judged, (std::vector<std::string>{"Pending", "Pending", "Running", "Succeeded"}))
      << "the pod as created, then each event";
  EXPECT_EQ(resource_version(pod), "4");
  EXPECT_TRUE(succeeded(pod));
}

TEST(PodWatch, ReadsThePodAgainAfter410GoneAndWatchesOn) {
  StandInKubernetesApi api(PodScript::watch_gone, token);
  ApiClient client(cluster(api));
  oci::Json pod = client.create_pod({{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", {{"generateName", "kiln-verify-"}}}});
  const std::string name = pod["metadata"]["name"];
  const PodWatchEnd end = watch_until_settled(client, name, pod, {.deadline = std::chrono::steady_clock::now() + 30s},
                                              [](const oci::Json& state) { return succeeded(state); });
  EXPECT_EQ(end, PodWatchEnd::settled);
  int reads = 0;
  for (const auto& request : api.requests())
    if (request.method == "GET" && request.uri.ends_with("/pods/" + name)) ++reads;
  EXPECT_EQ(reads, 1) << "the 410 Gone is answered by one read of the pod";
}

TEST(PodWatch, GivesUpAtTheDeadline) {
  StandInKubernetesApi api(ScriptedPod{.statuses = {{{"phase", "Running"}}}}, token);
  ApiClient client(cluster(api));
  oci::Json pod = created(client);
  const auto start = std::chrono::steady_clock::now();
  const PodWatchEnd end = watch_until_settled(client, "watched", pod, {.deadline = start + 2s, .longest_watch = 1s},
                                              [](const oci::Json& state) { return succeeded(state); });
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(end, PodWatchEnd::deadline);
  EXPECT_GE(took, 2s);
  EXPECT_LT(took, 10s);
  EXPECT_EQ(pod["status"].value("phase", ""), "Running");
}

TEST(PodWatch, TheStopFlagEndsTheWaitAtTheNextEvent) {
  StandInKubernetesApi api(ScriptedPod{.statuses = {{{"phase", "Pending"}}, {{"phase", "Running"}}, {{"phase", "Succeeded"}}}},
                           token);
  ApiClient client(cluster(api));
  oci::Json pod = created(client);
  std::atomic<bool> stop = false;
  int judged = 0;
  const PodWatchEnd end = watch_until_settled(client, "watched", pod,
                                              {.deadline = std::chrono::steady_clock::now() + 30s, .stop = &stop},
                                              [&](const oci::Json& state) {
                                                if (++judged == 2) stop = true;  // on the first event
                                                return succeeded(state);
                                              });
  EXPECT_EQ(end, PodWatchEnd::stopped);
  EXPECT_EQ(judged, 2);
  EXPECT_EQ(pod["status"].value("phase", ""), "Pending");
}

}  // namespace
}  // namespace kiln::kubernetes
