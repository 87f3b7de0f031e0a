#pragma once
// One way of doing the build that kiln-bench times: kiln-plugin with a backend, buildah, or
// the floor. The loop that runs them never asks which one it has.
#include <string>

#include "bench/cli/sample.h"

namespace kiln::bench {

/// Where one run goes: its compression and a repository of its own ("host/path"), so no run
/// finds the blobs of another already there.
struct RunSlot {
  std::string compression;  ///< gzip, zstd or none
  int run = 0;              ///< 1-based
  std::string repository;
};

class Contender {
 public:
  virtual ~Contender() = default;
  /// One complete build and push. Throws kiln::Error: usage when the build is refused as
  /// given, infra when a tool or registry fails.
  virtual Sample run(const RunSlot& slot) = 0;
};

}  // namespace kiln::bench
