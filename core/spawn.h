#pragma once
// The one way kiln starts a program: fork + exec with everything the child needs prepared
// before fork. run_process, ChildProcess, kiln-server's build runner, kiln-bench's measured
// child and kiln-probe's command runner all come here. Poco's Process::launch is not used: it
// can neither put the child in a process group of its own nor tie its life to ours, it passes
// on our blocked signal mask (a program that takes SIGTERM with sigwait would start children
// deaf to it), and it closes descriptors one by one up to the limit (milliseconds a spawn).
// Libc only, so the static kiln-probe links it too.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace kiln {

/// `source` is what the child sees at `target`, in a mount namespace of its own (root only).
struct PrivateBind {
  std::string source;
  std::string target;
};

struct SpawnSpec {
  std::vector<std::string> argv;
  /// The file to execute. Empty: argv[0], looked up in our PATH when it has no '/'.
  std::string executable;
  std::vector<std::string> environment;  ///< the child's whole environment, "NAME=value"
  std::string working_dir;               ///< empty: ours
  int stdin_fd = -1;                     ///< become the child's 0, 1 and 2; -1: /dev/null
  int stdout_fd = -1;
  int stderr_fd = -1;
  /// The child leads a process group of its own, so everything it starts can be signalled at
  /// once. Also set from the parent before spawn_child returns: no window where a kill of the
  /// group could miss it.
  bool own_group = false;
  /// The child is sent SIGKILL when the thread that started it dies (PR_SET_PDEATHSIG): a
  /// killed parent leaves no executor or build running on.
  bool dies_with_parent = false;
  std::vector<PrivateBind> private_binds;
};

/// Why a child could not become the program; `what()` says it in full.
class SpawnError : public Error {
 public:
  enum class Stage { not_found, system, redirect, private_mount, working_dir, exec };
  SpawnError(Stage stage, int error, const std::string& what) : Error(ExitClass::infra, what), stage_(stage), error_(error) {}
  Stage stage() const noexcept { return stage_; }
  int error() const noexcept { return error_; }  ///< errno, 0 for not_found

 private:
  Stage stage_;
  int error_;
};

/// Starts the child with every signal unblocked and at its default action, and no descriptor
/// of ours but the three it is given. Returns its pid once it has executed the program.
/// Throws SpawnError "cannot start <argv[0]>: <reason>" when it cannot, and then no child is
/// left behind.
int spawn_child(const SpawnSpec& spec);

/// What execvp would run for `program`: itself when it contains '/', otherwise the first
/// executable regular file of that name in `path_variable`'s directories (an empty element is
/// the working directory, relative ones are taken against `workdir`); nullopt when there is none.
std::optional<std::string> find_executable(std::string_view program, std::string_view path_variable, std::string_view workdir);

}  // namespace kiln
