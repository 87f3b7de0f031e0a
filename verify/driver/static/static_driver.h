#pragma once
// The `static` driver: answers from the image's layers alone (registry or OCI layout), read
// top layer first, each at most once unless contents are found to be needed late; nothing is
// extracted and nothing runs, so command tests are answered "not run" with the reason.
#include <vector>

#include "verify/driver/driver.h"
#include "verify/driver/layer_index.h"

namespace kiln::verify {

/// The layers of `image` that `request` needs, read into an index: top first, until
/// inspect::gather_facts asks nothing the layers read so far cannot settle. Throws
/// kiln::Error(infra) when a layer cannot be read.
LayerIndex index_for_request(const ImageUnderTest& image, const inspect::FactRequest& request);

class StaticDriver : public Driver {
 public:
  std::string name() const override { return "static"; }
  using Driver::collect;
  /// Runs no command, so `container` changes nothing.
  inspect::Facts collect(const ImageUnderTest& image, const inspect::FactRequest& request,
                         const CommandContainer& container) override;
  /// What the last collect() read (layers in order, bytes), for the benchmark and the tests.
  const std::vector<LayerRead>& last_reads() const { return last_reads_; }

 private:
  std::vector<LayerRead> last_reads_;
};

}  // namespace kiln::verify
