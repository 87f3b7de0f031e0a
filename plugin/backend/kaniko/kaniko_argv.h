#pragma once
// KanikoOptions -> the executor's argv, and the form of it that is safe to print.
#include <string>
#include <vector>

#include "plugin/backend/kaniko/kaniko_options.h"

namespace kiln::plugin {

/// The executor's argv: argv[0] is options.executor, then the flags in drone-kaniko's order
/// (its cmd/kaniko-docker main.go), each as one `--flag=value` element so a value holding spaces,
/// commas or '=' reaches the executor unchanged; options.extra_args come last, verbatim.
std::vector<std::string> kaniko_argv(const KanikoOptions& options);

/// argv as one printable line: build-arg names are kept and their values replaced by "***"
/// (both `--build-arg=N=v` and `--build-arg N=v`), every registered secret is redacted
/// (kiln::log::redact), and words with shell-special characters are single-quoted.
std::string loggable_command(const std::vector<std::string>& argv);

}  // namespace kiln::plugin
