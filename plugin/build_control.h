#pragma once
// What a caller may do to a native build while it runs: stop it, and follow it. kiln-plugin uses
// neither (a build runs to its end or its process is killed); kiln's library passes both from
// its request. The stop is checked where stopping leaves nothing half-done: before each
// registry request, before each piece of a layer being written, and before the first tag
// moves; once the tags move, they all move.
#include <cstdint>
#include <functional>
#include <stop_token>
#include <string>

#include "oci/image/layer_push.h"

namespace kiln::plugin {

struct BuildEvent {
  enum class Kind {
    base_resolved,     ///< subject: the base reference; digest: its manifest's (this platform's)
    layer_progress,    ///< bytes of total: the source bytes of the layer being written, read so far
    layer_stored,      ///< subject: the platform; digest, bytes (compressed), uploaded
    reference_pushed,  ///< subject: the tagged reference; digest: the image's
  };
  Kind kind = Kind::base_resolved;
  std::string subject;
  std::string digest;
  std::int64_t bytes = 0;
  std::int64_t total = 0;
  bool uploaded = false;  ///< layer_stored: false when the registry (or layout) had it already
};

struct BuildControl {
  std::stop_token stop;
  std::function<void(const BuildEvent&)> on_event;

  void report(const BuildEvent& event) const {
    if (on_event) on_event(event);
  }
  /// The layer watch of the build's sinks: its stop, and layer_progress events.
  oci::LayerWatch layer_watch() const {
    oci::LayerWatch watch{.stop = stop, .on_progress = {}};
    if (on_event)
      watch.on_progress = [on_event = on_event](const oci::LayerProgress& p) {
        on_event({.kind = BuildEvent::Kind::layer_progress, .bytes = p.bytes_read, .total = p.bytes_total});
      };
    return watch;
  }
};

}  // namespace kiln::plugin
