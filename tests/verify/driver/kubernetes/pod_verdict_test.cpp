// What a pod status means: wait, the check finished, or the cluster could not run it.
#include "verify/driver/kubernetes/pod_verdict.h"

#include <gtest/gtest.h>

namespace kiln::verify::kubernetes {
namespace {

using Kind = PodVerdict::Kind;

oci::Json pod_with(const char* status_json) { return {{"status", oci::Json::parse(status_json)}}; }

TEST(PodVerdict, JudgesEachStatus) {
  struct Row {
    const char* status;
    PodVerdict verdict;
  };
  const std::vector<Row> rows = {
      {R"({"phase":"Pending"})", {}},
      {R"({"phase":"Pending","containerStatuses":[{"name":"check","state":{"waiting":{"reason":"ContainerCreating"}}}]})", {}},
      {R"({"phase":"Running","containerStatuses":[{"name":"check","state":{"running":{}}}]})", {}},
      {R"({"phase":"Succeeded","containerStatuses":[{"name":"check","state":{"terminated":{"exitCode":0,"reason":"Completed"}}}]})",
       {Kind::check_finished, 0, "Completed"}},
      {R"({"phase":"Failed","containerStatuses":[{"name":"check","state":{"terminated":{"exitCode":2,"reason":"Error"}}}]})",
       {Kind::check_finished, 2, "Error"}},
      {R"({"phase":"Pending","containerStatuses":[{"name":"check","state":{"waiting":{"reason":"InvalidImageName","message":"bad ref"}}}]})",
       {Kind::infra_failure, 0, "container 'check': InvalidImageName: bad ref"}},
      {R"({"phase":"Pending","containerStatuses":[{"name":"check","state":{"waiting":{"reason":"CreateContainerConfigError","message":"image has non-numeric user (nonroot), cannot verify user is non-root"}}}]})",
       {Kind::infra_failure, 0,
        "container 'check': CreateContainerConfigError: image has non-numeric user (nonroot), cannot verify user is non-root"}},
      {R"({"phase":"Pending","containerStatuses":[{"name":"check","state":{"waiting":{"reason":"CreateContainerError"}}}]})",
       {Kind::infra_failure, 0, "container 'check': CreateContainerError"}},
      {R"({"phase":"Pending","containerStatuses":[{"name":"check","state":{"waiting":{"reason":"RunContainerError","message":"exec: no such file"}}}]})",
       {Kind::infra_failure, 0, "container 'check': RunContainerError: exec: no such file"}},
      // The kiln verify image itself cannot be pulled.
      {R"({"phase":"Pending","initContainerStatuses":[{"name":"install-probe","state":{"waiting":{"reason":"ImagePullBackOff"}}}]})",
       {Kind::infra_failure, 0, "container 'install-probe': ImagePullBackOff"}},
      {R"({"phase":"Failed","containerStatuses":[{"name":"check","state":{"terminated":{"exitCode":137,"reason":"OOMKilled"}}}]})",
       {Kind::infra_failure, 0, "container 'check': OOMKilled: the probe ran out of memory; raise the memory limit"}},
      {R"({"phase":"Failed","reason":"Evicted","message":"The node was low on resource: memory."})",
       {Kind::infra_failure, 0,
        "pod ended (Failed) without a result from container 'check': Evicted: The node was low on resource: memory."}},
      {R"({"phase":"Pending","conditions":[{"type":"PodScheduled","status":"False","reason":"Unschedulable","message":"0/1 nodes"}]})",
       {Kind::infra_failure, 0, "pod cannot be scheduled: Unschedulable: 0/1 nodes"}},
  };
  for (const auto& row : rows) EXPECT_EQ(judge_pod(pod_with(row.status)), row.verdict) << row.status;
}

}  // namespace
}  // namespace kiln::verify::kubernetes
