#pragma once
// The environment a command test runs with, and container-structure-test's `$VAR` expansion
// (pkg/utils in github.com/GoogleContainerTools/container-structure-test): Go's os.Expand against the image's Env, except that "$$" gives a
// literal "$" — in CST it silently eats both characters, which breaks `sh -c` scripts.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "oci/json.h"
#include "verify/spec/spec.h"

namespace kiln::verify {

/// An environment in order; a later set() of a key replaces the value in place.
class Environment {
 public:
  void set(const std::string& key, const std::string& value);
  /// Empty when unset, as os.Expand does.
  std::string get(std::string_view key) const;
  bool has(std::string_view key) const;
  const std::vector<std::pair<std::string, std::string>>& vars() const { return vars_; }

 private:
  std::vector<std::pair<std::string, std::string>> vars_;
};

/// `config.Env` of an image config blob ("KEY=value" entries; a bare "KEY" is an empty value).
Environment image_environment(const oci::Json& image_config);
/// `config.WorkingDir`; "/" when unset.
std::string image_workdir(const oci::Json& image_config);

/// `$NAME`, `${NAME}` and the one-character shell names (`$1`, `$@`, …) replaced by their values
/// (empty when unset); "$$" becomes "$"; a "$" before anything else is kept.
std::string expand_env(std::string_view text, const Environment& env);

/// The image env with `global` then `local` entries set on top, each value expanded against
/// what was set before it. PATH gets the runtime default when the image has none, as Docker
/// and containerd do.
Environment command_environment(const oci::Json& image_config, const std::vector<EnvVar>& global,
                                const std::vector<EnvVar>& local);

}  // namespace kiln::verify
