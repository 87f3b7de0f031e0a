#pragma once
// Reads container-structure-test spec files (schema 2.0.0 and 1.0.0) with kiln's extensions.
//
// Differences from container-structure-test, on purpose:
// - unknown keys are errors in JSON as in YAML, and JSON gets YAML's defaults (shouldExist
//   true, uid/gid unchecked);
// - invalid RE2 patterns, permission strings, isExecutableBy values, durations and platforms
//   are rejected when the file is read, naming the file, line, test and key, instead of failing
//   one test at run time;
// - containerRunOptions' capabilities and bindMounts are checked when read; allocateTty is
//   refused, because stdout and stderr are judged apart.
#include <filesystem>
#include <string>

#include "verify/spec/spec.h"
#include "verify/spec/spec_node.h"

namespace kiln::verify {

/// Loads one spec file: `.yaml`/`.yml` or `.json`. The suite is named after the file's stem.
/// Throws kiln::Error(usage) "<file>:<line>: <where>: <problem>".
Spec load_spec(const std::filesystem::path& file);

/// Decodes a parsed spec tree (either format); `file` is only used in messages and `source`.
Spec decode_spec(const SpecNode& root, const std::string& file, const std::string& suite_name);

}  // namespace kiln::verify
