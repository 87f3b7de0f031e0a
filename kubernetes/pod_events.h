#pragma once
// A pod's events as text for an error message: what the scheduler and kubelet said about it
// (FailedScheduling, Failed to pull image, …) is usually the explanation a user needs.
#include <string>

namespace kiln::kubernetes {

class ApiClient;

/// "\nevents:\n  Warning Failed (kubelet): …" one event a line, "\nevents: none", or
/// "\nevents: unavailable (…)" when they cannot be listed: never throws, so it never hides the
/// error it is meant to explain.
std::string describe_pod_events(ApiClient& client, const std::string& pod_name);

}  // namespace kiln::kubernetes
