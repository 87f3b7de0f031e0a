#pragma once
// The micro benchmarks' input: the same real machine code as the end-to-end workload
// (workload.h), held in memory so no disk is in the measured loop.
#include <cstddef>
#include <string>

namespace kiln::bench {

/// `bytes` bytes of this machine's ELF files, made once per process and size.
const std::string& real_binary_in_memory(std::size_t bytes);

/// The pieces the tar stage hands a compressor (64 KiB), as the layer writer does.
inline constexpr std::size_t kPieceBytes = 64 * 1024;

}  // namespace kiln::bench
