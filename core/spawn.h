#pragma once
// fork + exec for run_process. Poco's Process::launch can neither put the child in a process
// group of its own nor tie its life to ours, and it passes on our blocked signal mask (a
// program that takes SIGTERM with sigwait would start children deaf to it).
#include <string>
#include <vector>

namespace kiln {

struct SpawnSpec {
  std::vector<std::string> argv;         ///< argv[0] without a '/' is looked up in PATH
  std::vector<std::string> environment;  ///< the child's whole environment, "NAME=value"
  std::string working_dir;               ///< empty: ours
  int stdin_fd = -1;                     ///< become the child's 0, 1 and 2; -1: /dev/null
  int stdout_fd = -1;
  int stderr_fd = -1;
  /// The child leads a process group of its own (so everything it starts can be signalled
  /// at once) and is sent SIGKILL when the thread that started it dies (PR_SET_PDEATHSIG: a
  /// killed parent leaves no executor running on).
  bool own_group = false;
};

/// Starts the child with every signal unblocked and at its default action, and no descriptor
/// of ours but the three it is given. Returns its pid. Throws kiln::Error(infra) "cannot start
/// <argv[0]>: <reason>" when it cannot be found or executed.
int spawn_child(const SpawnSpec& spec);

}  // namespace kiln
