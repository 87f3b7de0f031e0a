#pragma once
// The floor of a build: the work no builder can skip, done alone. The new bytes (the binary,
// or the build context's files) compressed at the build's level and hashed twice (the tar's
// diff_id and the blob's digest), in this process, single-threaded, output discarded: the
// way bench/native_build_bench.cpp measures it, plus the two SHA-256 passes.
#include <filesystem>
#include <vector>

#include "bench/cli/sample.h"
#include "oci/layer/layer_writer.h"

namespace kiln::bench {

/// One floor run over `files` (read in order). Peak memory is not measured (it would be
/// kiln-bench's own); bytes uploaded is none.
Sample floor_sample(const std::vector<std::filesystem::path>& files, const oci::CompressionSettings& compression);

}  // namespace kiln::bench
