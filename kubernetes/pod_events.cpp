#include "kubernetes/pod_events.h"

#include <fmt/format.h>

#include "kubernetes/api_client.h"

namespace kiln::kubernetes {

std::string describe_pod_events(ApiClient& client, const std::string& pod_name) {
  try {
    const oci::Json list = client.pod_events(pod_name);
    std::string out;
    if (list.contains("items") && list["items"].is_array()) {
      for (const auto& event : list["items"]) {
        const std::string source =
            event.contains("source") ? event["source"].value("component", std::string()) : std::string();
        out += fmt::format("\n  {} {}{}: {}", event.value("type", std::string("Normal")),
                           event.value("reason", std::string()), source.empty() ? "" : " (" + source + ")",
                           event.value("message", std::string()));
      }
    }
    return out.empty() ? "\nevents: none" : "\nevents:" + out;
  } catch (const std::exception& e) {
    return fmt::format("\nevents: unavailable ({})", e.what());
  }
}

}  // namespace kiln::kubernetes
