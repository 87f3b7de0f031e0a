#pragma once
// What a Dockerfile and its .dockerignore may ask of kiln. Both come from the repository being
// built, which may be hostile (a pull request's), and the Dockerfile is parsed whatever the
// backend. Each bound is far above real files and stops one that would exhaust memory, stack
// or time; going past one is a usage error (exit 2) naming the file and line.
#include <cstddef>

namespace kiln::plugin::dockerfile_limits {

inline constexpr std::size_t kMaxBytes = 4 << 20;  ///< the Dockerfile's size
inline constexpr int kMaxLines = 100'000;           ///< physical lines
inline constexpr int kMaxInstructions = 50'000;
/// FROM lines. A stage built on another is interpreted recursively, one level per stage.
inline constexpr int kMaxStages = 256;
/// ${a:-${b:-...}} nesting; the expansion is recursive, one level per nesting.
inline constexpr int kMaxExpansionDepth = 64;
/// One word after variable expansion: ENV A=$A$A doubles a value per line.
inline constexpr std::size_t kMaxExpandedWord = 1 << 20;
/// Every expansion of one build together: the bound on each word alone would still let
/// 50,000 lines keep a megabyte each.
inline constexpr std::size_t kMaxExpandedTotal = 64 << 20;

inline constexpr std::size_t kMaxDockerignoreBytes = 1 << 20;
/// Each rule is a regular expression tried against every file of the context.
inline constexpr int kMaxDockerignoreRules = 10'000;

}  // namespace kiln::plugin::dockerfile_limits
