#pragma once
// The kaniko backend: runs the Kaniko executor (argv only, never a shell) with the options the
// plugin computed, streams its output, and returns the digest it wrote.
//
// It does not implement Backend::build(const BuildPlan&) yet: BuildPlan describes the native
// "binary on a base image" build. The plugin maps its settings to KanikoOptions and calls run().
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"
#include "plugin/backend/backend.h"
#include "plugin/backend/kaniko/kaniko_options.h"

namespace kiln::plugin {

/// The executor exited non-zero. kiln-plugin exits with exit_code(), so a failing RUN's code
/// reaches the CI unchanged (Kaniko: the RUN's code, 1 for other errors, 137 when OOM-killed).
class KanikoExitError final : public Error {
 public:
  KanikoExitError(int exit_code, const std::string& what) : Error(ExitClass::infra, what), exit_code_(exit_code) {}
  int exit_code() const noexcept override { return exit_code_; }

 private:
  int exit_code_;
};

/// Receives each line the executor prints (stdout and stderr), without its '\n'.
using OutputLineSink = std::function<void(std::string_view line)>;

/// Writes a line to our stderr at once; the default sink.
void write_line_to_stderr(std::string_view line);

class KanikoBackend {
 public:
  /// `sink` gets the executor's output as it comes, with registered secrets redacted.
  explicit KanikoBackend(KanikoOptions options, OutputLineSink sink = write_line_to_stderr);

  /// Runs the executor once and returns the digest from its digest file.
  /// Throws kiln::Error(usage) before starting when the options cannot work (no destination and
  /// no no_push), KanikoExitError when the executor exits non-zero (its digest file is then
  /// ignored: Kaniko writes it before pushing), kiln::Error(infra) when it exits 0 without a
  /// valid digest file or cannot be started.
  BuildResult run();

  /// The digest file the executor is told to write: options.digest_file, or a path of ours
  /// next to the executor (under /kaniko, which Kaniko never snapshots).
  const std::string& digest_file() const { return options_.digest_file; }

  const KanikoOptions& options() const { return options_; }

 private:
  KanikoOptions options_;
  OutputLineSink sink_;
  bool own_digest_file_ = false;
};

/// The message for an executor exit code: "kaniko executor exited N", plus a hint for 137.
std::string kaniko_exit_message(int exit_code);

}  // namespace kiln::plugin
