#pragma once
// Logging through spdlog with secret redaction: every value registered as a secret is replaced
// by "****" in every message, whichever code path formats it.
#include <spdlog/spdlog.h>

#include <string>
#include <vector>

namespace kiln::log {

enum class Level { debug, info, warn, error };

/// The `log_level` setting of kiln's programs: debug (or trace), info, warn (or warning), error
/// (or quiet); anything else is info.
Level parse_level(const std::string& text);
/// Sets up the default logger on stderr. Call once from main().
void setup(Level level);
/// Registers a value (password, token, auth blob) that must never be printed, for the rest of
/// the process.
void add_secret(const std::string& secret);

/// Registers values for as long as it lives: a long-running server's per-build credentials, so
/// the list every log line is checked against does not grow with each build it has run.
/// Registrations are counted: a value registered twice stays until both are gone.
class ScopedSecrets {
 public:
  explicit ScopedSecrets(std::vector<std::string> secrets);
  ~ScopedSecrets();
  ScopedSecrets(const ScopedSecrets&) = delete;
  ScopedSecrets& operator=(const ScopedSecrets&) = delete;

 private:
  std::vector<std::string> secrets_;
};
/// Makes the add_secret() calls of the calling thread temporary: while a scope lives, what
/// add_secret() registers on this thread (through Settings::load, a docker config, a registry
/// login) is removed again when the scope ends. A server checks and runs many builds with
/// different credentials: without a scope around each request and each build, every value it
/// ever saw would stay in the list every log line is checked against. Scopes nest; ScopedSecrets
/// registrations are not taken into a scope.
class RedactionScope {
 public:
  RedactionScope();
  ~RedactionScope();
  RedactionScope(const RedactionScope&) = delete;
  RedactionScope& operator=(const RedactionScope&) = delete;

 private:
  friend void add_secret(const std::string& secret);
  std::vector<std::string> taken_;
  RedactionScope* outer_;
};

/// How many distinct values are registered now (for tests and metrics).
std::size_t secret_count();

/// Returns text with every registered secret replaced; used for error messages too.
std::string redact(std::string text);

}  // namespace kiln::log
