// Reading a pod's status: what keeps it from running a container to its end, a container's end,
// the pod's end, as the kubelet and scheduler report them.
#include "kubernetes/pod_status.h"

#include <gtest/gtest.h>

namespace kiln::kubernetes {
namespace {

oci::Json pod_with(const char* status_json) { return {{"status", oci::Json::parse(status_json)}}; }

TEST(PodTrouble, NamesWhatKeepsThePodFromRunning) {
  EXPECT_FALSE(pod_trouble(pod_with(R"({"phase":"Pending"})")));
  EXPECT_FALSE(pod_trouble(oci::Json::object()));
  EXPECT_FALSE(pod_trouble(pod_with(
      R"({"phase":"Pending","containerStatuses":[{"name":"c","state":{"waiting":{"reason":"ContainerCreating"}}}]})")));

  const auto stuck = pod_trouble(pod_with(
      R"({"phase":"Pending","initContainerStatuses":[{"name":"fetch","state":{"waiting":{"reason":"ErrImagePull","message":"not found"}}}]})"));
  ASSERT_TRUE(stuck);
  EXPECT_EQ(stuck->kind, PodTrouble::Kind::container_stuck);
  EXPECT_EQ(stuck->container, "fetch");
  EXPECT_EQ(stuck->reason, "ErrImagePull");
  EXPECT_EQ(stuck->message, "not found");

  const auto unschedulable = pod_trouble(pod_with(
      R"({"phase":"Pending","conditions":[{"type":"PodScheduled","status":"False","reason":"Unschedulable","message":"0/1 nodes"}]})"));
  ASSERT_TRUE(unschedulable);
  EXPECT_EQ(unschedulable->kind, PodTrouble::Kind::unschedulable);
  EXPECT_EQ(unschedulable->message, "0/1 nodes");
  // A scheduling condition that is only pending is no trouble yet.
  EXPECT_FALSE(pod_trouble(pod_with(R"({"conditions":[{"type":"PodScheduled","status":"False","reason":"SchedulerBusy"}]})")));
}

TEST(PodTrouble, TheDeadlineComesBeforeTheContainersItKilled) {
  const auto trouble = pod_trouble(pod_with(
      R"({"phase":"Failed","reason":"DeadlineExceeded","message":"active too long","containerStatuses":[{"name":"c","state":{"waiting":{"reason":"CreateContainerError"}}}]})"));
  ASSERT_TRUE(trouble);
  EXPECT_EQ(trouble->kind, PodTrouble::Kind::deadline_exceeded);
  EXPECT_EQ(trouble->reason, "DeadlineExceeded");
  EXPECT_EQ(trouble->message, "active too long");
}

TEST(ContainerEnd, ReadsTheTerminatedStateOfTheNamedContainer) {
  const oci::Json pod = pod_with(R"({"initContainerStatuses":[{"name":"fetch","state":{"terminated":{"exitCode":0,"reason":"Completed"}}}],
      "containerStatuses":[{"name":"side","state":{"running":{}}},
                           {"name":"main","state":{"terminated":{"exitCode":3,"reason":"Error","message":"sha256:abc"}}}]})");
  const auto main = container_end(pod, container_statuses, "main");
  ASSERT_TRUE(main);
  EXPECT_EQ(main->exit_code, 3);
  EXPECT_EQ(main->reason, "Error");
  EXPECT_EQ(main->message, "sha256:abc");
  EXPECT_FALSE(container_end(pod, container_statuses, "side"));
  EXPECT_FALSE(container_end(pod, container_statuses, "fetch")) << "init containers are another list";
  EXPECT_EQ(container_end(pod, init_container_statuses, "fetch")->exit_code, 0);
  EXPECT_TRUE(container_started(pod, container_statuses, "side"));
  EXPECT_TRUE(container_started(pod, container_statuses, "main"));
  EXPECT_FALSE(container_started(pod, container_statuses, "absent"));
}

TEST(ContainerEnd, AMissingExitCodeNeverReadsAsSuccess) {
  const auto end = container_end(pod_with(R"({"containerStatuses":[{"name":"c","state":{"terminated":{"reason":"Error"}}}]})"),
                                 container_statuses, "c");
  ASSERT_TRUE(end);
  EXPECT_EQ(end->exit_code, -1);
}

TEST(PodEnd, OnlySucceededAndFailedAreEnds) {
  EXPECT_FALSE(pod_end(pod_with(R"({"phase":"Running"})")));
  const auto evicted = pod_end(pod_with(R"({"phase":"Failed","reason":"Evicted","message":"low on memory"})"));
  ASSERT_TRUE(evicted);
  EXPECT_EQ(evicted->phase, "Failed");
  EXPECT_EQ(evicted->reason, "Evicted");
  EXPECT_EQ(pod_end(pod_with(R"({"phase":"Succeeded"})"))->reason, "NoResult");
}

TEST(PodStatus, ResourceVersionAndDescriptions) {
  EXPECT_EQ(resource_version({{"metadata", {{"resourceVersion", "42"}}}}), "42");
  EXPECT_EQ(resource_version(oci::Json::object()), "");
  EXPECT_EQ(describe("pod", "Evicted", ""), "pod: Evicted");
  EXPECT_EQ(describe("pod", "Evicted", "low"), "pod: Evicted: low");
}

}  // namespace
}  // namespace kiln::kubernetes
