// build_image(): a BuildRequest through kiln-plugin's native backend, with the request's stop
// and progress callback wired into it.
#include "kiln/build.h"

#include <fmt/format.h>

#include <mutex>
#include <optional>

#include "core/error.h"
#include "core/log.h"
#include "core/stop.h"
#include "kiln/errors.h"
#include "library/build_plan.h"
#include "library/cancellation_token.h"
#include "library/logging.h"
#include "library/public_errors.h"
#include "library/registry_access.h"
#include "plugin/run_build.h"

namespace kiln {
namespace library {
namespace {

ProgressEvent public_event(const plugin::BuildEvent& e) {
  ProgressEvent out{.subject = e.subject, .digest = e.digest, .bytes = e.bytes, .total = e.total, .uploaded = e.uploaded};
  switch (e.kind) {
    case plugin::BuildEvent::Kind::base_resolved: out.kind = ProgressEvent::Kind::base_resolved; break;
    case plugin::BuildEvent::Kind::layer_progress: out.kind = ProgressEvent::Kind::layer_progress; break;
    case plugin::BuildEvent::Kind::layer_stored: out.kind = ProgressEvent::Kind::layer_stored; break;
    case plugin::BuildEvent::Kind::reference_pushed: out.kind = ProgressEvent::Kind::reference_pushed; break;
  }
  return out;
}

// The build's own stop: the request's token, or the progress callback throwing (whose message
// the Cancelled error then carries).
class BuildStop {
 public:
  explicit BuildStop(const CancellationToken& token)
      : follow_(stop_token_of(token), [this] { source_.request_stop(); }) {}
  std::stop_token token() const { return source_.get_token(); }
  void callback_failed(const std::string& why) {
    {
      std::lock_guard lock(mutex_);
      if (!callback_error_) callback_error_ = why;
    }
    source_.request_stop();
  }
  std::optional<std::string> callback_error() const {
    std::lock_guard lock(mutex_);
    return callback_error_;
  }

 private:
  std::stop_source source_;
  std::stop_callback<std::function<void()>> follow_;
  mutable std::mutex mutex_;
  std::optional<std::string> callback_error_;
};

}  // namespace
}  // namespace library

BuildResult build_image(const BuildRequest& request) {
  library::ensure_logging();
  library::BuildStop stop(request.cancellation);
  try {
    const plugin::BuildPlan plan = library::plan_for(request);
    auto keychain = library::keychain_for(request.registry, "BuildRequest");
    plugin::BuildControl control{.stop = stop.token(), .on_event = {}};
    if (request.progress)
      control.on_event = [&](const plugin::BuildEvent& event) {
        try {
          request.progress(library::public_event(event));
        } catch (const std::exception& e) {
          stop.callback_failed(e.what());
        } catch (...) {
          stop.callback_failed("an exception that is not a std::exception");
        }
      };
    const plugin::BuildResult built = plugin::build_natively(plan, std::move(keychain), control);
    BuildResult result{.digest = built.digest.to_string(),
                       .media_type = built.media_type,
                       .references = {},
                       .layers_uploaded = built.layers_uploaded,
                       .bytes_uploaded = built.layer_bytes_uploaded};
    for (const oci::Reference& ref : built.pushed) result.references.push_back(ref.to_string());
    return result;
  } catch (const StopRequested& e) {
    if (auto why = stop.callback_error())
      throw Cancelled(kiln::log::redact(fmt::format("{} (the progress callback threw: {})", e.what(), *why)));
    library::rethrow_as_public();
  } catch (...) {
    library::rethrow_as_public();
  }
}

}  // namespace kiln
